"""The core: models, hook specifications, plugin manager, discovery, config, scoring, runner.

The core imports nothing from built-in plugins, reporters or the CLI.
"""
