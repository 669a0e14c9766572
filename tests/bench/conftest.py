"""The benchmark (`make bench`) is a program, not a test suite: pytest collects nothing here."""

collect_ignore_glob = ["*.py"]
