"""summarizer: local, verifiable news-event summaries.

The public API (the CLI is a thin layer over it) is filled in stage by stage:
load_sources -> generate -> verify -> brief, and score for any summary.
"""
