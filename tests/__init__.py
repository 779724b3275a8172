"""Newswatch's tests: one folder per stage of `pipeline/`, end-to-end and fault tests in `scenarios/`."""
