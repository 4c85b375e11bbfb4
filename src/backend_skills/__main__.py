"""``python -m backend_skills``: the same as the ``backend-skills`` command."""

from backend_skills.cli import main

if __name__ == "__main__":
    main()
