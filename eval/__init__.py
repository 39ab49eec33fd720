"""Benchmarks of the summarizer against human labels and the clock; results go to eval/RESULTS.md."""
