"""The regional report: its figures (selectors), its workflow (services), its page and files."""
