"""gunicorn reads ./gunicorn.conf.py from the folder it starts in: every gunicorn started from the repository
(`make demo`, the production command in docs/operations.md) writes its access log through the logger that
masks farmers' link tokens, even when the command line forgets `--logger-class`."""

logger_class = "qiancun.participation.log_redaction.TokenlessAccessLogger"
