"""The benchmark (`python -m tools.bench`): a demo bank at bank scale, loaded through the real ingest path, every
page's analytics and script runs timed, the same answers computed with pandas, one table against the targets."""
