"""closetask: work Close CRM tasks from the terminal and from scripts."""

__version__ = "0.1.0"
