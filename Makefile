# Everyday recipes. `make test` is what CI runs (.ci/run).
.PHONY: demo test fmt lint bench-import bench-search
demo:
	cargo run --release -- demo
test:
	cargo test
fmt:
	cargo fmt --all
lint:
	cargo clippy --all-targets -- -D warnings
bench-import:
	bash bench/import.sh
bench-search:
	bash bench/search.sh
