"""Build print, EPUB and web editions of a pamphlet from one Pandoc Markdown manuscript."""

__version__ = "0.1.0"
