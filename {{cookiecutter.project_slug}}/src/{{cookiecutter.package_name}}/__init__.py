"""{{ cookiecutter.project_name }}: an ML project on the Databricks lakehouse."""

__version__ = "0.1.0"
