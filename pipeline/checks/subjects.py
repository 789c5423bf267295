"""What the checks look at, in report order: a light module the CLI can import at start-up."""

CHECK_SUBJECTS = ("manuscript", "pdf", "booklet", "epub", "html", "cross")
