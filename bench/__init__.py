"""Benchmarks (issue #8): ingest, retrieval, HTTP latency/throughput, cold start, and the llama-index reference."""
