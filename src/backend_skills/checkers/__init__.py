"""Built-in checkers. Each module is a plugin registered under the ``backend_skills``
entry-point group, exactly like a third-party plugin."""
