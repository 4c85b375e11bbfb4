"""NoSQL injection in JavaScript and TypeScript: ``$where`` and whole request objects as
MongoDB filters."""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Pattern, Rule

JS = ("javascript", "typescript")

NOSQL = Rule(
    id="BSSEC114",
    title="MongoDB $where or query operator built from request input",
    skill="database",
    criterion="database.query_safety",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=943,
    taint=True,
    message="a MongoDB `{name}` clause is built from non-constant input",
    rationale=(
        "`$where` runs JavaScript on the database server, and a filter taken whole from the "
        'request lets the client send operators (`{"$ne": null}`) instead of values: NoSQL '
        "injection (CWE-943) bypasses logins and reads other users' documents."
    ),
    fix="Never build $where from input (use ordinary operators); cast request values to the expected type (String(req.body.user)) or validate them with a schema before they reach a filter.",
    patterns=(
        Pattern(
            languages=JS,
            query="""(pair key: [(property_identifier) (string)] @name (#match? @name "where") value: (_) @arg) @match""",
            text=r"^['\"]?\$where['\"]?\s*:",
            when="dynamic",
            needles=("$where",),
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: (member_expression property: (property_identifier) @name
              (#any-of? @name "find" "findOne" "findOneAndUpdate" "updateOne" "deleteOne" "deleteMany" "countDocuments"))
              arguments: (arguments . (member_expression) @arg)) @match""",
            text=r"\(\s*req\.(?:body|query|params)\s*[,)]",
            needles=("req.",),
        ),
    ),
    examples=(
        Example(
            "javascript",
            """app.get('/allocations', (req, res) => {
  const threshold = req.query.threshold;
  db.collection('allocations').find({ $where: `this.stocks > ${threshold}` }).toArray();
  db.collection('users').findOne(req.body);
});
""",
            lines=(3, 4),
        ),
        Example(
            "javascript",
            """app.get('/allocations', (req, res) => {
  const threshold = Number(req.query.threshold);
  db.collection('allocations').find({ stocks: { $gt: threshold } }).toArray();
  db.collection('users').findOne({ name: String(req.body.name) });
});
""",
        ),
    ),
)
