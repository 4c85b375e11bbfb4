"""What the ``nosql`` analysis recognises: NoSQL clients, MongoDB filter and cursor
calls, Redis commands, index and schema declarations.

Pure data; the rules that read it are in :mod:`._nosql_mongo`, :mod:`._nosql_redis`
and :mod:`.nosql`.
"""

from __future__ import annotations

#: Imported module (or prefix) -> the store its client talks to.
CLIENTS: dict[str, str] = {
    "pymongo": "mongodb",
    "motor": "mongodb",
    "mongoengine": "mongodb",
    "flask_mongoengine": "mongodb",
    "flask_pymongo": "mongodb",
    "beanie": "mongodb",
    "bunnet": "mongodb",
    "odmantic": "mongodb",
    "umongo": "mongodb",
    "djongo": "mongodb",
    "redis": "redis",
    "aioredis": "redis",
    "coredis": "redis",
    "walrus": "redis",
    "pynamodb": "dynamodb",
}
#: AWS SDKs: DynamoDB when the file names the service.
AWS_SDKS = ("boto3", "aioboto3", "aiobotocore", "botocore")

#: Collection methods whose first argument (or ``filter=``) is a query filter.
FILTER_METHODS = frozenset(
    {
        "find",
        "find_one",
        "find_one_and_update",
        "find_one_and_delete",
        "find_one_and_replace",
        "update_one",
        "update_many",
        "delete_one",
        "delete_many",
        "replace_one",
        "count_documents",
        "count",
        "find_raw_batches",
        "watch",
    }
)
#: MongoEngine query-set calls that take the filter as keyword arguments.
KWARG_FILTERS = frozenset({"objects", "filter", "get", "first", "count", "delete"})
#: Document keys that carry server-side JavaScript.
JS_OPERATORS = frozenset({"$where", "$function", "$accumulator"})
MAP_REDUCE = frozenset({"map_reduce", "inline_map_reduce", "mapReduce"})
#: Redis client constructors (last segment of the resolved call).
REDIS_CONSTRUCTORS = frozenset(
    {"Redis", "StrictRedis", "from_url", "RedisCluster", "master_for", "create_redis_pool"}
)
REDIS_DANGEROUS = frozenset({"keys", "flushall", "flushdb"})
#: Redis writes that need an expiry, unless one is set in the same function.
REDIS_WRITES = frozenset({"set", "setnx", "hset", "hmset", "hsetnx", "mset", "msetnx"})
EXPIRY_KEYWORDS = frozenset({"ex", "px", "exat", "pxat", "keepttl"})
EXPIRE_CALLS = frozenset({"expire", "pexpire", "expireat", "pexpireat", "setex", "psetex"})
#: Calls that bound a cursor when they wrap it or are chained onto it.
CURSOR_BOUNDS = frozenset(
    {"limit", "paginate", "islice", "first", "next", "get_page", "batch", "Paginator"}
)
INDEX_CALLS = frozenset({"create_index", "create_indexes", "ensure_index", "IndexModel", "Indexed"})
ODM_MODELS = frozenset(
    {
        "mongoengine.Document",
        "mongoengine.EmbeddedDocument",
        "mongoengine.document.Document",
        "flask_mongoengine.Document",
        "beanie.Document",
        "beanie.View",
        "bunnet.Document",
        "odmantic.Model",
        "odmantic.EmbeddedModel",
    }
)
NOT_APPLICATION = frozenset({"scripts", "script", "bin", "tools", "management"})
#: Calls that open a MongoDB client or ODM engine (last segment of the resolved call).
MONGO_CONNECTIONS = frozenset(
    {
        "MongoClient",
        "AsyncIOMotorClient",
        "AsyncMongoClient",
        "connect",
        "init_beanie",
        "AIOEngine",
        "SyncEngine",
        "PyMongo",
    }
)
