# Lexel: `make demo` trains word vectors and queries them, then embeds and searches documents; `make test` runs the tests.
# Both install what they need (libzstd-dev, libcairo2-dev, fonts-dejavu-core) and build from scratch on a fresh machine.

SWIFT ?= swift
RELEASE_BIN := .build/release/lexel
DEMO_DIR ?= .build/demo

.PHONY: all deps build release lib wheel test test-python demo demo-cluster bench-words peers clean

all: release

# libzstd and cairo headers (zstd streams; the pictures of `lexel cluster --plot`) and a font for the pictures' text
# are not on a fresh Debian machine.
deps:
	@{ pkg-config --exists libzstd cairo 2>/dev/null && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; } || { \
	  echo "Installing libzstd-dev, libcairo2-dev, fonts-dejavu-core (needs root)..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libzstd-dev libcairo2-dev fonts-dejavu-core pkg-config >/dev/null; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The C library: liblexel.so with the Swift runtime linked in statically (no Swift toolchain needed to use it; the
# link flags are in Package.swift, so `make release` builds the same library), and its header, in .build/lib.
lib: deps
	$(SWIFT) build -c release --product LexelC
	@mkdir -p .build/lib
	cp .build/release/libLexelC.so .build/lib/liblexel.so
	cp Sources/LexelCAPI/include/lexel.h .build/lib/lexel.h

# The Python package: a manylinux wheel in .build/wheel holding liblexel.so (and, from `auditwheel repair`, the
# libzstd it needs) and the shipped model; built with the venv of tools/peers/setup_python.sh.
PYVENV := tools/.venv-python/bin
wheel: lib
	@bash tools/peers/setup_python.sh >/dev/null
	rm -rf python/build python/lexel.egg-info python/lexel/models .build/wheel
	mkdir -p python/lexel/models .build/wheel/raw
	cp .build/lib/liblexel.so .build/lib/lexel.h python/lexel/
	strip --strip-unneeded python/lexel/liblexel.so
	cp vocab/lexel-minilm-distilled.lxm python/lexel/models/
	cd python && ../$(PYVENV)/python -m build --wheel --no-isolation --outdir ../.build/wheel/raw >/dev/null
	PATH=$(CURDIR)/$(PYVENV):$$PATH $(PYVENV)/auditwheel repair -w .build/wheel .build/wheel/raw/lexel-*.whl
	$(PYVENV)/auditwheel show .build/wheel/lexel-*.whl

# The wheel installed into a new venv with nothing else (numpy comes from PyPI), imported from an empty folder;
# then the package's tests (pytest, with pyarrow and Ray) against the same wheel.
test-python: wheel
	rm -rf .build/wheel-venv .build/wheel-cwd && mkdir -p .build/wheel-cwd
	python3 -m venv .build/wheel-venv
	.build/wheel-venv/bin/pip install --quiet .build/wheel/lexel-*.whl
	cd .build/wheel-cwd && ../wheel-venv/bin/python -c "import lexel; print(lexel.Embedder.load().encode(['hello']).shape)"
	$(PYVENV)/pip install --quiet --force-reinstall --no-deps .build/wheel/lexel-*.whl
	cd python/tests && ../../$(PYVENV)/python -m pytest -q -p no:cacheprovider .

# The layering rules first (fast, and a forbidden import fails here with its file and line), the tools' own
# tests, then the Swift suite. TMPDIR inside .build: swiftc's own TemporaryDirectory.* folders stay out of /tmp.
test: deps
	python3 tools/check_architecture.py
	python3 tools/test_lexel_tools.py
	@mkdir -p .build/tmp
	TMPDIR=$(CURDIR)/.build/tmp $(SWIFT) test
	$(MAKE) --no-print-directory release lib
	python3 tools/test_capi.py
	$(MAKE) --no-print-directory test-python

# Plain word vectors (no subwords) where semantics matter: on the 20M-word corpus of ../shared/data when it is
# there, else on the bundled 2.5M-word slice; subword vectors for the out-of-vocabulary part; then documents.
WORDS ?= $(firstword $(wildcard ../shared/data/corpus/words-en.txt.zst) vocab/demo-corpus.txt.zst)
EPOCHS ?= $(if $(findstring shared,$(WORDS)),2,5)

demo: release
	@mkdir -p $(DEMO_DIR)
	@echo "== Word vectors: skip-gram without subwords on $(WORDS) ($(EPOCHS) epochs, 2 threads)"
	$(RELEASE_BIN) skipgram -input $(WORDS) -output $(DEMO_DIR)/words -thread 2 -epoch $(EPOCHS) -minCount 5 -maxn 0 -verbose 1
	@echo
	@echo "== Nearest neighbours"
	@printf 'king\ncomputer\nriver\n' | $(RELEASE_BIN) nn $(DEMO_DIR)/words.bin 5
	@echo
	@echo "== Analogies: berlin - germany + france, king - man + woman"
	@printf 'berlin germany france\nking man woman\n' | $(RELEASE_BIN) analogies $(DEMO_DIR)/words.bin 3
	@echo
	@echo "== WordSim353 and the word2vec analogies"
	@if [ -d ../shared/data/eval ]; then $(RELEASE_BIN) eval words $(DEMO_DIR)/words.bin \
	  --similarity ../shared/data/eval/wordsim353.tsv --analogy ../shared/data/eval/questions-words.txt | grep -v "^  "; \
	  else echo "(../shared/data/eval not found: skipped)"; fi
	@echo
	@echo "== Out-of-vocabulary words get vectors from their character n-grams (fastText subwords, bundled corpus)"
	$(RELEASE_BIN) skipgram -input vocab/demo-corpus.txt.zst -output $(DEMO_DIR)/subwords -thread 2 -epoch 2 -minCount 5 -verbose 1
	@printf 'kernell\ncomputerize\n' | $(RELEASE_BIN) nn $(DEMO_DIR)/subwords.bin 5
	@echo
	@echo "== Text classification, fastText-compatible: question types (TREC-6), 25 epochs, word bigrams"
	@if [ -d ../shared/data/eval/trec-6 ]; then \
	  $(RELEASE_BIN) supervised -input ../shared/data/eval/trec-6/train.txt -output $(DEMO_DIR)/trec -epoch 25 -wordNgrams 2 -thread 2 -verbose 1 2>&1 | tail -1; \
	  $(RELEASE_BIN) test $(DEMO_DIR)/trec.bin ../shared/data/eval/trec-6/test.txt; \
	  printf 'Who invented the telephone ?\nHow many people live in Tokyo ?\nWhat city is the capital of France ?\nWhat does NASA stand for ?\n' \
	    | $(RELEASE_BIN) predict-prob $(DEMO_DIR)/trec.bin - 1; \
	  else echo "(../shared/data/eval/trec-6 not found: skipped)"; fi
	@echo
	@echo "== Document embeddings: the shipped static model, 1,408-d: trained token and bigram rows + a TF-IDF sketch (vocab/lexel-minilm-distilled.lxm)"
	@printf 'How do I install a package on Debian?\nThe king and the queen of the land\nA function that returns a list of files\nLove is patient, love is kind\n' \
	  | $(RELEASE_BIN) embed --quiet | cut -c1-100
	@echo
	@echo "== Nearest neighbours of a few queries among 2,000 bundled paragraphs (vocab/demo-paragraphs.jsonl.zst)"
	@printf 'How do I install a package on Debian?\nThe king and the queen of the land\nA function that returns a list of files\nLove is patient, love is kind\n' \
	  | $(RELEASE_BIN) similar vocab/demo-paragraphs.jsonl.zst -k 3 --width 90
	@$(MAKE) --no-print-directory demo-cluster

# Topics of the 2,000 bundled paragraphs: k-means on their embeddings, the characteristic terms of each cluster,
# a map (PNG + SVG), then near-duplicate removal at three thresholds.
demo-cluster: release
	@mkdir -p $(DEMO_DIR)
	@echo
	@echo "== Clusters of the 2,000 bundled paragraphs (k = 12), with a map: $(DEMO_DIR)/clusters.png"
	$(RELEASE_BIN) cluster vocab/demo-paragraphs.jsonl.zst -k 12 --output $(DEMO_DIR)/clusters --plot $(DEMO_DIR)/clusters.png --quiet
	@echo
	@echo "== Semantic deduplication (SemDeDup) of the same paragraphs"
	$(RELEASE_BIN) dedup vocab/demo-paragraphs.jsonl.zst --eps 0.02,0.05,0.1 -k 4 --output $(DEMO_DIR)/dedup --quiet

# The side-by-side benchmark against fastText and gensim (creates tools/.venv from PyPI).
peers:
	bash tools/peers/setup_venv.sh

bench-words: release peers
	tools/.venv/bin/python tools/bench_words.py

clean:
	rm -rf .build
