"""Hard-coded secrets: credentials given literal values, token-shaped literals."""

from __future__ import annotations

from backend_skills.checkers._redact import AWS_KEY, PRIVATE_KEY, TOKENS
from backend_skills.core.models import Confidence, Severity

from ._model import Example, Pattern, Rule

JS = ("javascript", "typescript")
CODE = ("java", "csharp", "go", "javascript", "typescript")

#: One of these is in every name :data:`~backend_skills.rules._engine.SECRET_NAME` accepts
#: (lower-cased): not a bare "key", which nearly every JavaScript file holds (``keys``).
SECRET_NEEDLES = (
    *("pass", "pwd", "secret", "token", "credential"),
    *("apikey", "api_key", "accesskey", "access_key", "privatekey", "private_key"),
)
#: Fixed prefixes of the well-known token formats (BSSEC110 looks further only then).
TOKEN_NEEDLES = (
    *("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"),
    *("-----BEGIN", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox"),
    *("sk_live_", "rk_live_", "AIza", "SG."),
)

SECRET = Rule(
    id="BSSEC109",
    title="Hard-coded credential",
    skill="security",
    criterion="security.secrets",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    cwe=798,
    message="hard-coded credential assigned to `{name}` (value not shown)",
    rationale=(
        "A password, secret, token or API key written in the code is readable by everyone "
        "with the repository (and its history, forever), is the same in every environment "
        "and cannot be rotated without a release (CWE-798)."
    ),
    fix='Read it from the environment or a secret manager at start-up (System.getenv, @Value("${...}"), IConfiguration/user secrets, os.Getenv, process.env), and rotate the leaked value.',
    patterns=(
        Pattern(
            languages=("java",),
            query="""[(variable_declarator name: (identifier) @name value: (string_literal) @value)
              (assignment_expression left: [(identifier) @name (field_access field: (identifier) @name)] right: (string_literal) @value)] @match""",
            when="secret",
            needles=SECRET_NEEDLES,
            ignore_case=True,
        ),
        Pattern(
            languages=("csharp",),
            query="""[(variable_declarator name: (identifier) @name (string_literal) @value)
              (assignment_expression left: [(identifier) @name (member_access_expression name: (identifier) @name)] right: (string_literal) @value)
              (property_declaration name: (identifier) @name value: (string_literal) @value)] @match""",
            when="secret",
            needles=SECRET_NEEDLES,
            ignore_case=True,
        ),
        Pattern(
            languages=("go",),
            query="""[(const_spec name: (identifier) @name value: (expression_list . (interpreted_string_literal) @value .))
              (var_spec name: (identifier) @name value: (expression_list . (interpreted_string_literal) @value .))
              (short_var_declaration left: (expression_list . (identifier) @name .) right: (expression_list . (interpreted_string_literal) @value .))
              (keyed_element (literal_element (identifier) @name) (literal_element (interpreted_string_literal) @value))] @match""",
            when="secret",
            needles=SECRET_NEEDLES,
            ignore_case=True,
        ),
        Pattern(
            languages=JS,
            query="""[(variable_declarator name: (identifier) @name value: (string) @value)
              (pair key: [(property_identifier) @name (string) @name] value: (string) @value)
              (assignment_expression left: (member_expression property: (property_identifier) @name) right: (string) @value)] @match""",
            when="secret",
            needles=SECRET_NEEDLES,
            ignore_case=True,
        ),
    ),
    examples=(
        Example(
            "java",
            """class Db {
  private static final String DB_PASSWORD = "s3cr3t-Pa55";
  private final String passwordField = "password";
}
""",
            lines=(2,),
        ),
        Example(
            "java",
            """class Db {
  private final String dbPassword = System.getenv("DB_PASSWORD");
  private static final String PASSWORD_PARAM = "password";
}
""",
        ),
        Example(
            "csharp",
            """class Cfg {
  public string ApiKey { get; set; } = "k-29f8a7c6d5e4";
}
""",
            lines=(2,),
        ),
        Example(
            "csharp",
            """class Cfg {
  public string ApiKey { get; set; } = Environment.GetEnvironmentVariable("API_KEY");
}
""",
        ),
        Example(
            "go",
            """package cfg

const jwtSecret = "my-very-secret-signing-key"
""",
            lines=(3,),
        ),
        Example(
            "go",
            """package cfg

var jwtSecret = os.Getenv("JWT_SECRET")
""",
        ),
        Example(
            "javascript",
            """module.exports = {
  db: { user: 'app', password: 'hunter2hunter2' },
};
""",
            lines=(2,),
        ),
        Example(
            "javascript",
            """module.exports = {
  db: { user: 'app', password: process.env.DB_PASSWORD, passwordLabel: 'Your password' },
};
""",
        ),
    ),
)

_TOKEN_REGEX = "|".join(
    f"(?:{p.pattern})" for p in (AWS_KEY, PRIVATE_KEY, *(pattern for _, pattern in TOKENS))
)

TOKEN = Rule(
    id="BSSEC110",
    title="Well-known secret token or embedded password in the code",
    skill="security",
    criterion="security.secrets",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=798,
    message="a secret (cloud key, API token, private key or password in a connection string) is written in the code (value not shown)",
    rationale=(
        "Tokens with a recognisable format (AWS keys, GitHub, Slack, Stripe, Google, SendGrid "
        "tokens, private keys) and passwords inside connection strings are live credentials: "
        "scanners harvest them from public repositories within minutes (CWE-798)."
    ),
    fix="Revoke and rotate the credential now, then load it from the environment or a secret manager; keep connection strings in configuration with the password injected at deploy time.",
    patterns=(
        Pattern(languages=CODE, regex=f"(?P<secret>{_TOKEN_REGEX})", needles=TOKEN_NEEDLES),
        Pattern(
            languages=CODE,
            regex=r"""["'`@$][^"'`\n]*\b(?:Password|Pwd)\s*=\s*(?P<secret>(?![$%{<(])[^;"'`\s]{3,})""",
            # every match holds "Password" or "Pwd" (any spacing around "=")
            needles=("Password", "Pwd"),
        ),
    ),
    examples=(
        Example(
            "csharp",
            """class Db {
  const string Conn = "Server=db;Database=app;User Id=sa;Password=Sup3rS3cret;";
}
""",
            lines=(2,),
        ),
        Example(
            "csharp",
            """class Db {
  string Conn => configuration.GetConnectionString("Default");
}
""",
        ),
        Example(
            "csharp",
            """/// Set it with: export ConnectionStrings__Db="Server=db;User ID=sa;Password=YourPassword"
class Db {
  const string Conn = "Server=db;Database=app;User Id=sa;Password=<your-password>;";
  const string Env = "Server=db;Database=app;User Id=sa;Password=${DB_PASSWORD};";
}
""",
        ),
        Example(
            "go",
            """package forms

type AppleClientSecret struct {
	// PrivateKey is the private key associated to your app.
	// Usually wrapped within -----BEGIN PRIVATE KEY----- X -----END PRIVATE KEY-----.
	PrivateKey string `json:"privateKey"`
}

const hint = "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----"
""",
        ),
        Example(
            "typescript",
            # split so that this file holds no key block itself (backend-skills scores itself)
            """export const signingKey =
  "-----BEGIN RSA """
            """PRIVATE KEY-----\\nMIIEowIBAAKCAQEAvMAHb0IoLvoYuW2kA9ySkBvbvb4x\\n-----END RSA PRIVATE KEY-----";
""",
            lines=(2,),
        ),
        Example(
            "go",
            """package cfg

var key = "AKIAIOSFODNN7EXAMPLE"
""",
            lines=(3,),
        ),
    ),
)
