"""The evaluation harness: golden sets and adapters, KB specs, the runner, metrics, the llama-index baseline,
ragas scores, reports and the CI gate (`engine eval`, `engine gate`; docs/evals.md)."""
