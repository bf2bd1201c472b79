"""Watch mode: a session that rebuilds on every save, the file watcher and the live server."""
