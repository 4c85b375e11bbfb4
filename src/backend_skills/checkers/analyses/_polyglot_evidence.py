"""NoSQL and resilience evidence in the other languages' source files, by line.

The Python analyses read Python trees; this module reads JavaScript, TypeScript, Java,
C# and Go source files (role ``source``, up to :data:`MAX_CHARS` characters) line by
line for the repository-level facts the NoSQL and resilience criteria need: which NoSQL
client a file uses (so the criterion applies), whether indexes and schemas are declared,
and where outgoing calls, retries, circuit breakers and graceful shutdown appear. The
per-line *rules* of those languages belong to the rule registry; nothing here makes a
finding by itself.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from backend_skills.core.discovery import SourceFile
from backend_skills.core.models import Role

LANGUAGES = frozenset({"javascript", "typescript", "java", "csharp", "go"})
MAX_CHARS = 1_000_000

_Q = r"""['"`]"""


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


#: Store -> what a file that uses its client contains.
CLIENTS: dict[str, re.Pattern[str]] = {
    "mongodb": _any(
        rf"(?:require\(|from\s+){_Q}(?:mongodb|mongoose|@typegoose/typegoose|@nestjs/mongoose){_Q}",
        r"\bimport\s+(?:com\.mongodb|org\.springframework\.data\.mongodb|dev\.morphia)\.",
        r"\busing\s+MongoDB\.(?:Driver|Entities)\b",
        r"go\.mongodb\.org/mongo-driver",
    ),
    "redis": _any(
        rf"(?:require\(|from\s+){_Q}(?:redis|ioredis|@redis/client){_Q}",
        r"\bimport\s+(?:redis\.clients\.jedis|io\.lettuce|org\.redisson|org\.springframework\.data\.redis)\.",
        r"\busing\s+StackExchange\.Redis\b",
        r"github\.com/(?:redis|go-redis)/(?:go-)?redis",
    ),
    "dynamodb": _any(
        rf"{_Q}@aws-sdk/(?:client-dynamodb|lib-dynamodb){_Q}|{_Q}aws-sdk{_Q}.*DynamoDB",
        r"\bimport\s+software\.amazon\.awssdk\.services\.dynamodb\.",
        r"\busing\s+Amazon\.DynamoDBv2\b",
        r"aws-sdk-go(?:-v2)?/(?:service|feature)/dynamodb",
    ),
}
INDEXES = _any(
    r"\bcreateIndex(?:es)?\s*\(",
    r"\.index\s*\(\s*\{",
    r"\bindex\s*:\s*true\b|\bunique\s*:\s*true\b",
    r"@(?:Indexed|CompoundIndex|CompoundIndexes|TextIndexed)\b",
    r"\bCreateIndexModel\b|\bIndexKeys\b",
    r"\.CreateOne\s*\(|mongo\.IndexModel\b",
    r"\bensureIndex\s*\(",
)
SCHEMAS = _any(
    r"\$jsonSchema",
    r"\bnew\s+(?:mongoose\.)?Schema\s*\(|\bSchema\s*\(\s*\{",
    rf"\bmongoose\.model\s*\(\s*{_Q}\w+{_Q}\s*,",
    r"@(?:Schema|Prop|modelOptions)\s*\(",
    r"@Document\b",
    r"\bvalidator\s*:",
)
OUTGOING = _any(
    r"\baxios(?:\.\w+)?\s*\(",
    r"(?<![\w.])fetch\s*\(",
    r"\bgot(?:\.\w+)?\s*\(",
    r"\bnew\s+HttpClient\s*\(",
    r"\bRestTemplate\b|\bWebClient\.(?:create|builder)\b|\bRestClient\.(?:create|builder)\b",
    r"\bhttp\.(?:Get|Post|Head|PostForm|NewRequest(?:WithContext)?)\s*\(",
    r"\bgrpc\.(?:Dial|NewClient|DialContext)\s*\(",
)
RETRIES = _any(
    rf"{_Q}(?:axios-retry|p-retry|async-retry|retry|cockatiel|got){_Q}",
    r"\bPolly\b|\bAddStandardResilienceHandler\b|\bAddTransientHttpErrorPolicy\b",
    r"io\.github\.resilience4j\.retry|@Retry\b|@Retryable\b|\bRetryTemplate\b",
    r"github\.com/(?:cenkalti/backoff|avast/retry-go|sethvargo/go-retry|hashicorp/go-retryablehttp)",
)
BREAKERS = _any(
    rf"{_Q}(?:opossum|cockatiel|brakes){_Q}",
    r"\bCircuitBreaker\b|@CircuitBreaker\b|io\.github\.resilience4j\.circuitbreaker",
    r"github\.com/(?:sony/gobreaker|afex/hystrix-go|eapache/go-resiliency/breaker)",
)
SHUTDOWN = _any(
    rf"process\.on\(\s*{_Q}SIG(?:TERM|INT){_Q}",
    r"\benableShutdownHooks\s*\(",
    r"\bsignal\.Notify(?:Context)?\s*\(",
    r"\.Shutdown\s*\(\s*ctx\b",
    r"\bserver\.shutdown\s*[=:]\s*graceful\b",
    r"\bIHostApplicationLifetime\b|\bApplicationStopping\b",
    r"@PreDestroy\b",
)


@dataclass
class FileEvidence:
    """What one non-Python source file shows, as ``(line, label)`` pairs per kind."""

    stores: list[str] = field(default_factory=list)
    site: int = 0
    indexes: list[int] = field(default_factory=list)
    schemas: list[int] = field(default_factory=list)
    outgoing: list[int] = field(default_factory=list)
    retries: list[int] = field(default_factory=list)
    breakers: list[int] = field(default_factory=list)
    shutdown: list[int] = field(default_factory=list)


def _candidates(files: Iterable[SourceFile]) -> list[SourceFile]:
    chosen = []
    for f in files:
        if f.role is Role.SOURCE and f.language in LANGUAGES:
            chosen.append(f)
        elif (
            f.role in (Role.SOURCE, Role.CONFIG, Role.OTHER)
            and f.name.startswith("application")
            and f.name.endswith((".properties", ".yml", ".yaml"))
        ):
            chosen.append(f)  # Spring Boot settings (server.shutdown=graceful)
    return chosen


NOSQL_KINDS = ("indexes", "schemas")
RESILIENCE_KINDS = ("outgoing", "retries", "breakers", "shutdown")
_PATTERNS = {
    "indexes": INDEXES,
    "schemas": SCHEMAS,
    "outgoing": OUTGOING,
    "retries": RETRIES,
    "breakers": BREAKERS,
    "shutdown": SHUTDOWN,
}


#: Folders (and suffixes) of browser code: its fetch() calls are not service-to-service.
FRONT_END = frozenset(
    {"frontend", "client", "web", "webapp", "ui", "www", "public", "static", "components", "pages"}
)


def front_end(path: str) -> bool:
    """Whether a file is browser code (a front-end folder, or a JSX, TSX or Vue file)."""
    parts = path.lower().split("/")
    return bool(FRONT_END & set(parts[:-1])) or parts[-1].endswith((".jsx", ".tsx", ".vue"))


def _line_of(text: str, offset: int, newlines: list[int]) -> int:
    if not newlines:
        newlines.extend(i for i, c in enumerate(text) if c == "\n")
    return bisect.bisect_left(newlines, offset) + 1


def _too_long(text: str, offset: int) -> bool:
    """Whether the line holding ``offset`` is over 2,000 characters (minified code, data)."""
    end = text.find("\n", offset)
    begin = text.rfind("\n", 0, offset)
    return (end if end >= 0 else len(text)) - begin > 2000


def _record(evidence: FileEvidence, label: str, line: int) -> None:
    """Note one match: a NoSQL client (``label`` in :data:`CLIENTS`) or a kind's line."""
    if label not in CLIENTS:
        getattr(evidence, label).append(line)
        return
    if label not in evidence.stores:
        evidence.stores.append(label)
    if label == "mongodb" and not evidence.site:
        evidence.site = line


def _file_evidence(file: SourceFile, kinds: tuple[str, ...]) -> FileEvidence:
    """The evidence of ``kinds`` (and the NoSQL clients) in one file."""
    text = file.text
    evidence = FileEvidence()
    newlines: list[int] = []
    searches = list(CLIENTS.items())
    searches += [
        (kind, _PATTERNS[kind])
        for kind in kinds
        if not (kind == "outgoing" and front_end(file.path))
    ]
    for label, pattern in searches:
        for match in pattern.finditer(text):
            if not _too_long(text, match.start()):
                _record(evidence, label, _line_of(text, match.start(), newlines))
    return evidence


def scan(files: Iterable[SourceFile], kinds: tuple[str, ...]) -> dict[str, FileEvidence]:
    """Evidence of ``kinds`` (and the NoSQL clients) per file path, for files showing any.

    Each pattern runs once over a file's text; lines longer than 2,000 characters
    (minified code, data) are not judged.
    """
    found: dict[str, FileEvidence] = {}
    for file in sorted(_candidates(files), key=lambda f: f.path):
        if len(file.text) > MAX_CHARS:
            continue
        evidence = _file_evidence(file, kinds)
        if evidence != FileEvidence():
            found[file.path] = evidence
    return found
