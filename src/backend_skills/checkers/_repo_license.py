"""The ``repo`` checker's LICENSE criterion: a licence text recognised by its SPDX id,
in LICENSE (or COPYING) at the root or in REUSE's LICENSES/ folder, or at least declared
in the package metadata."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath
from typing import Any

from backend_skills.checkers._repo_text import (
    LICENSE,
    _community_files,
    _finding,
    _parent,
    _Part,
    _words,
)
from backend_skills.core.discovery import FileSet, SourceFile
from backend_skills.core.models import Finding, Metric, Severity


def _norm_license(text: str) -> str:
    text = text.lower().replace("“", '"').replace("”", '"').replace("’", "'")
    return re.sub(r"[^a-z0-9.,']+", " ", text)


_N = _norm_license
#: Characters (normalised) at the start of a licence file where its title must appear.
LICENSE_HEAD = 400
_PERMISSION = "Permission is hereby granted, free of charge, to any person obtaining a copy"
_ISC_GRANT = (
    "Permission to use, copy, modify, and",
    "distribute this software for any purpose with or without fee is hereby granted",
)
_BSD = "Redistribution and use in source and binary forms"
#: (SPDX id, phrases that must all appear, whether they must appear in the first
#: :data:`LICENSE_HEAD` characters), most specific first. Titles are looked for at the
#: head only: the MPL and EPL texts mention the GPL in their bodies.
LICENSE_RULES: tuple[tuple[str, tuple[str, ...], bool], ...] = tuple(
    (spdx, tuple(_N(p).strip() for p in phrases), head)
    for spdx, phrases, head in (
        ("AGPL-3.0", ("GNU AFFERO GENERAL PUBLIC LICENSE", "Version 3"), True),
        ("LGPL-3.0", ("GNU LESSER GENERAL PUBLIC LICENSE", "Version 3"), True),
        ("LGPL-2.1", ("GNU LESSER GENERAL PUBLIC LICENSE", "Version 2.1"), True),
        ("LGPL-2.0", ("GNU LIBRARY GENERAL PUBLIC LICENSE",), True),
        ("GPL-3.0", ("GNU GENERAL PUBLIC LICENSE", "Version 3"), True),
        ("GPL-2.0", ("GNU GENERAL PUBLIC LICENSE", "Version 2"), True),
        ("Apache-2.0", ("Apache License", "Version 2.0"), True),
        ("MPL-2.0", ("Mozilla Public License", "2.0"), True),
        ("EPL-2.0", ("Eclipse Public License", "2.0"), True),
        ("BSL-1.0", ("Boost Software License",), True),
        ("EUPL-1.2", ("European Union Public Licence", "1.2"), True),
        ("CC0-1.0", ("CC0 1.0 Universal",), True),
        (
            "Unlicense",
            ("This is free and unencumbered software released into the public domain",),
            False,
        ),
        (
            "Zlib",
            (
                "provided 'as-is', without any express or implied warranty",
                "Altered source versions must be plainly marked",
            ),
            False,
        ),
        (
            "MIT",
            (
                _PERMISSION,
                "The above copyright notice and this permission notice shall be included",
            ),
            False,
        ),
        ("MIT-0", (_PERMISSION,), False),
        (
            "ISC",
            (
                *_ISC_GRANT,
                "provided that the above copyright notice and this permission notice "
                "appear in all copies",
            ),
            False,
        ),
        ("0BSD", _ISC_GRANT, False),
        ("BSD-4-Clause", (_BSD, "All advertising materials mentioning features"), False),
        ("BSD-3-Clause", (_BSD, "endorse or promote products derived from this software"), False),
        ("BSD-2-Clause", (_BSD,), False),
    )
)
_SPDX_TAG = re.compile(r"SPDX-License-Identifier:\s*([\w.+-]+(?:\s+(?:OR|AND|WITH)\s+[\w.+-]+)*)")


def detect_license(text: str) -> str | None:
    """The SPDX id of a licence text, or None when it is not one we recognise."""
    tag = _SPDX_TAG.search(text)
    if tag:
        return tag.group(1).strip()
    norm = _norm_license(text)
    head = norm[:LICENSE_HEAD]
    for spdx, required, in_head in LICENSE_RULES:
        where = head if in_head else norm
        if all(p in where for p in required):
            return spdx
    return None


def _declared_license(fileset: FileSet) -> tuple[str, str] | None:
    """A licence declared in package metadata: (value, where)."""
    for name, read in _METADATA_READERS:
        f = fileset.get(name)
        declared = read(f.text) if f is not None else None
        if declared is not None:
            return declared
    return None


def _pyproject_license(text: str) -> tuple[str, str] | None:
    """``[project] license`` (a string, or a table's ``text`` or ``file``), else a
    ``License ::`` classifier."""
    try:
        project = tomllib.loads(text).get("project", {})
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    if not isinstance(project, dict):
        return None
    value = project.get("license")
    if isinstance(value, dict):
        value = value.get("text") or value.get("file")
    if isinstance(value, str) and value.strip():
        return value.strip()[:60], "pyproject.toml [project] license"
    return _license_classifier(project.get("classifiers", []) or [])


def _license_classifier(classifiers: Any) -> tuple[str, str] | None:
    for classifier in classifiers:
        if isinstance(classifier, str) and classifier.startswith("License ::"):
            return classifier.split("::")[-1].strip(), "pyproject.toml classifiers"
    return None


def _setup_cfg_license(text: str) -> tuple[str, str] | None:
    match = re.search(r"^license\s*=\s*(\S.*)$", text, re.MULTILINE)
    return (match.group(1).strip()[:60], "setup.cfg license") if match else None


def _package_json_license(text: str) -> tuple[str, str] | None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(data, dict) and isinstance(data.get("license"), str):
        return str(data["license"])[:60], "package.json license"
    return None


#: Package metadata files that may declare a licence, in the order they are read.
_METADATA_READERS: tuple[tuple[str, Callable[[str], tuple[str, str] | None]], ...] = (
    ("pyproject.toml", _pyproject_license),
    ("setup.cfg", _setup_cfg_license),
    ("package.json", _package_json_license),
)


def _license(fileset: FileSet) -> _Part:
    part = _Part()

    def accept(stem: str) -> bool:
        return stem.startswith(("LICENSE", "LICENCE", "COPYING"))

    found, empty = _community_files(fileset, accept, dirs=("",))
    reuse = [f for f in fileset.files if _parent(f.path) == "LICENSES"]
    recognised: list[tuple[str, str]] = []
    unrecognised: list[tuple[str, int]] = []
    for f in [*found, *reuse]:
        part.files.add(f.path)
        spdx = _license_id(f)
        if spdx:
            recognised.append((spdx, f.path))
        else:
            unrecognised.append((f.path, _words(f.text)))
    if recognised:
        level = 3.0
        part.notes.append("licence: " + ", ".join(f"{spdx} ({path})" for spdx, path in recognised))
    else:
        level, finding = _license_gap(unrecognised, _declared_license(fileset), empty)
        part.findings.append(finding)
    part.metrics.append(
        Metric(name="repo.license", value=level, unit="level of 3", files=len(part.files))
    )
    return part


def _license_id(f: SourceFile) -> str | None:
    """The SPDX id of a licence file: from its text, else (in REUSE's ``LICENSES/``)
    from its name."""
    spdx = detect_license(f.text)
    if spdx is None and _parent(f.path) == "LICENSES":
        spdx = PurePosixPath(f.path).stem  # REUSE names each file by its SPDX id
    return spdx


def _license_gap(
    unrecognised: Sequence[tuple[str, int]],
    declared: tuple[str, str] | None,
    empty: Sequence[str],
) -> tuple[float, Finding]:
    """The level (2: an unrecognised text, 1: a stub or a declaration only, 0: nothing)
    and the finding of a repository without a recognised licence file."""
    path = next((p for p, w in unrecognised if w >= 50), None)
    if path is not None:
        message = (
            f"{path} is not a licence text we recognise: use the unmodified text of an "
            "OSI-approved licence (https://spdx.org/licenses/) or add an SPDX-License-Identifier line"
        )
        return 2.0, _finding("BSCOL005", LICENSE, path, message)
    if unrecognised:
        path = unrecognised[0][0]
        message = f"{path} is too short to be a licence: put the full licence text in it"
        return 1.0, _finding("BSCOL005", LICENSE, path, message, severity=Severity.LOW)
    if declared:
        message = (
            f"licence {declared[0]!r} is declared in {declared[1]} but there is no LICENSE "
            "file: add LICENSE with the full licence text"
        )
        return 1.0, _finding("BSCOL005", LICENSE, "LICENSE", message, severity=Severity.LOW)
    if empty:
        message = f"{empty[0]} is empty: put the full text of the licence in it"
        return 0.0, _finding("BSCOL005", LICENSE, empty[0], message, severity=Severity.LOW)
    message = (
        "no LICENSE file: add LICENSE with the full text of the licence (e.g. MIT or Apache-2.0)"
    )
    return 0.0, _finding("BSCOL005", LICENSE, "LICENSE", message)
