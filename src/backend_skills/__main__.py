"""``python -m backend_skills``: the same as the ``backend-skills`` command.

Importing the package has already taken the working folder off ``sys.path`` (see
:mod:`backend_skills.core.safepath`); a ``''`` entry left by the host is dropped here too
before the CLI loads its modules.
"""

import sys

sys.path[:] = [entry for entry in sys.path if entry not in ("", ".")]

from backend_skills.cli import main  # noqa: E402 - after the import path is made safe

if __name__ == "__main__":
    main()
