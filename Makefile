# contentq: the commands a developer and a user need.
#
#   make demo    label the project's own sample with the embedded model (the README's first command)
#   make test    every test: cargo tests, the Spark local-mode test, the Slurm script test
#                (the README's second command; .ci/run calls exactly this)
#   make model   retrain models/default.json from ../shared/data + data/genre, then rebuild
#   make bench   criterion benches + the end-to-end throughput and memory bench
#   make compare contentq beside fastText and scikit-learn (creates bench/.venv)
#   make lint    cargo fmt --check and clippy with warnings as errors
#   make features-doc   regenerate the table in FEATURES.md
#   make fuzz    every fuzz target for FUZZ_SECONDS (default 60) each, on stable Rust

CARGO ?= cargo
BIN := target/release/contentq
SHARED ?= ../shared/data
FUZZ_SECONDS ?= 60

.PHONY: build demo test test-spark model bench bench-e2e compare lint features-doc fuzz clean

build:
	$(CARGO) build --release

demo: build
	@mkdir -p target/demo
	$(BIN) label data/sample.csv -o target/demo/sample.labeled.csv
	@echo
	@echo "== target/demo/sample.labeled.csv (id, label, p_promotional, ..., reasons):"
	@cat target/demo/sample.labeled.csv
	@echo
	$(BIN) filter data/sample.jsonl --keep informative -o target/demo/kept.jsonl \
		--rejected target/demo/rejected.jsonl --stats target/demo/stats.json
	@echo "== target/demo/stats.json:"
	@cat target/demo/stats.json

test:
	$(CARGO) test --release
	integrations/spark/test.sh
	integrations/slurm/test.sh

test-spark: build
	integrations/spark/test.sh

model: build
	@mkdir -p target/model-data
	python3 models/training_set.py $(SHARED) data/genre/genre.csv > target/model-data/default-train.csv
	$(BIN) train target/model-data/default-train.csv --group-column group --weight-column weight \
		-o models/default.json
	$(CARGO) build --release
	$(BIN) eval $(SHARED)/dev.csv

bench: build
	$(CARGO) bench --bench features --bench pipeline
	bench/e2e.sh

bench-e2e: build
	bench/e2e.sh

compare: build
	bench/compare

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

features-doc: build
	python3 scripts/features_doc.py

fuzz:
	fuzz/run.sh $(FUZZ_SECONDS)

clean:
	$(CARGO) clean
