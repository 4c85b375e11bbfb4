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
        Pattern(  # express-session/cookie-session: a secret of words signs the cookies too
            # ("keyboard cat"); one without a space is the pattern above's
            languages=JS,
            query="""(call_expression function: [(identifier) @f (member_expression property: (property_identifier) @f)]
              (#any-of? @f "session" "expressSession" "cookieSession")
              arguments: (arguments (object (pair key: (property_identifier) @name (#eq? @name "secret")
                value: (string) @value (#match? @value "[ \t]")
                (#not-match? @value "^.[ \t]*.$|^.<.*>.$|[$][{]|[{][{]")) @match)))""",
            needles=("secret",),
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
        Example(  # express-session's secret signs the session cookie, words or not
            "javascript",
            """app.use(session({
  secret: 'keyboard cat',
  resave: false,
}));
app.use(session({ secret: "a very good and secure secret" }));
""",
            lines=(2, 5),
        ),
        Example(
            "javascript",
            """app.use(session({ secret: process.env.SESSION_SECRET, resave: false }));
app.use(session({ secret: '<your session secret>' }));
const help = { secretHint: 'a long random string' };
""",
        ),
        Example(  # labels: a check, a status, a header's or property's name, an echo
            "go",
            """package middleware

const (
	JwtTokenCheck string = "JwtToken"
	TOKEN_STATUS_ACTIVE = "active"
)
""",
        ),
        Example(
            "typescript",
            """export const HEADER_KEY_TOKEN = 'Authorization';
export const PROPERTY_API_KEY_GHOSTFOLIO = 'API_KEY_GHOSTFOLIO';
export const passwordReset = '{base}/reset';
""",
        ),
        Example(
            "java",
            """class Events {
  public static final String USER_TOKEN = "ApolloUserToken";
  public static final String CREATE_ACCESS_KEY = "AccessKey.Create";
  public static final String TOKEN_STATUS_REVOKED = "revoked";
}
""",
        ),
        Example(  # a lower-case word or a secret's last word keeps a value a secret
            "typescript",
            """export const jwtSecret = 'secret-key';
export const STATE_SECRET = 'Xq8vLz1Pq';
""",
            lines=(1, 2),
        ),
        Example(  # message keys, fetch options and version ranges name things: no secrets
            "typescript",
            """export const labels = { password: 'label.password', token: 'auth.errors.token-expired' };
export const request = { credentials: 'omit', secretsManager: 'required' };
export const dependencies = { jsonwebtoken: '^9.0.2', 'passport-token': '~1.4.0' };
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
            # Inside one string literal: from an opening quote (a closing one is followed
            # by , ) ; ] } + . : or a space), over key=value; pairs, to Password= (not
            # `PostAsJsonAsync("auth/login", new UserInfo { Password = password })`).
            regex=r"""[@$]{0,2}["'`](?![,);\]}+.:\s])(?:[^"'`\n;]*;)*\s*(?:Password|Pwd)\s*=\s*(?P<secret>(?![$%{<(])[^;"'`\s]{3,})""",
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
        Example(  # a password outside any string: a property of an object, not a secret
            "csharp",
            """class Client {
  Task Login(string password) =>
    client.PostAsJsonAsync("auth/login", new UserInfo { Email = email, Password = password });
}
""",
        ),
    ),
)

#: Methods and constructors whose argument is a signing or encryption key.
_KEY_NEEDLES = (
    *("sign", "verify", "signWith", "setSigningKey", "hmacShaKeyFor", "HMAC", "SecretKeySpec"),
    *("SymmetricSecurityKey", "HMACSHA", "SignedString", "Parse"),
)

LITERAL_KEY = Rule(
    id="BSSEC120",
    title="Signing or encryption key written in the code",
    skill="security",
    criterion="security.secrets",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=321,
    message="a key written in the code is passed to `{name}` (value not shown)",
    extra_languages=("python",),
    checker="python_ast",
    rationale=(
        "A JWT signed or verified with a key written in the code can be forged by anyone who "
        "reads the repository: they sign their own token, with any user id and role, and the "
        "server accepts it (CWE-321, hard-coded cryptographic key). The same holds for an HMAC "
        "or cipher key given as a literal."
    ),
    fix=(
        "Load the key from the environment or a secret manager at start-up "
        '(process.env.JWT_SECRET, @Value("${jwt.secret}"), IConfiguration, os.Getenv), '
        "fail to start without it, and rotate the leaked one."
    ),
    patterns=(
        Pattern(  # jsonwebtoken: jwt.sign(payload, 'secret'), jwt.verify(token, 'secret')
            languages=JS,
            query="""(call_expression function: (member_expression object: (identifier) @o
                (#match? @o "^(jwt|JWT|jsonwebtoken|jsonWebToken|Jwt)$")
                property: (property_identifier) @name (#any-of? @name "sign" "verify"))
              arguments: (arguments . (_) . (string) @value)) @match""",
            needles=("sign(", "verify("),
        ),
        Pattern(  # jjwt signWith/setSigningKey, Keys.hmacShaKeyFor, auth0 Algorithm.HMAC256
            languages=("java",),
            query="""(method_invocation name: (identifier) @name
              (#any-of? @name "signWith" "setSigningKey" "hmacShaKeyFor" "HMAC256" "HMAC384" "HMAC512")
              arguments: (argument_list [(string_literal) @value
                (method_invocation object: (string_literal) @value name: (identifier) @b
                  (#eq? @b "getBytes"))])) @match""",
            needles=("signWith", "setSigningKey", "hmacShaKeyFor", "HMAC"),
        ),
        Pattern(  # new SecretKeySpec("key".getBytes(), "HmacSHA256")
            languages=("java",),
            query="""(object_creation_expression type: (type_identifier) @name (#eq? @name "SecretKeySpec")
              arguments: (argument_list . (method_invocation object: (string_literal) @value
                name: (identifier) @b (#eq? @b "getBytes")))) @match""",
            needles=("SecretKeySpec",),
        ),
        Pattern(  # new SymmetricSecurityKey(Encoding.UTF8.GetBytes("key")), new HMACSHA256(...)
            languages=("csharp",),
            query="""(object_creation_expression type: (identifier) @name
              (#match? @name "^(SymmetricSecurityKey|HMACSHA(1|256|384|512))$")
              arguments: (argument_list . (argument (invocation_expression
                function: (member_access_expression name: (identifier) @b (#eq? @b "GetBytes"))
                arguments: (argument_list . (argument (string_literal) @value .)))))) @match""",
            needles=("SymmetricSecurityKey", "HMACSHA"),
        ),
        Pattern(  # golang-jwt: token.SignedString([]byte("key"))
            languages=("go",),
            query="""(call_expression function: (selector_expression field: (field_identifier) @name
                (#eq? @name "SignedString"))
              arguments: (argument_list . (type_conversion_expression
                operand: (interpreted_string_literal) @value) .)) @match""",
            needles=("SignedString",),
        ),
        Pattern(  # jwt.Parse(s, func(t *jwt.Token) (interface{}, error) { return []byte("key"), nil })
            languages=("go",),
            query="""(call_expression function: (selector_expression field: (field_identifier) @name
                (#any-of? @name "Parse" "ParseWithClaims"))
              arguments: (argument_list (func_literal body: (block (statement_list
                (return_statement (expression_list . (type_conversion_expression
                  operand: (interpreted_string_literal) @value)))))))) @match""",
            needles=("Parse",),
        ),
    ),
    examples=(
        Example(
            "python",
            """import jwt

SECRET = "dev-secret-key"


def issue(user_id):
    return jwt.encode({"sub": user_id}, "secret", algorithm="HS256")


def check(token):
    return jwt.decode(token, SECRET, algorithms=["HS256"])
""",
            lines=(7, 11),
        ),
        Example(
            "python",
            """import os

import jwt


def issue(user_id):
    return jwt.encode({"sub": user_id}, os.environ["JWT_SECRET"], algorithm="HS256")


def check(token, settings):
    return jwt.decode(token, key=settings.jwt_secret, algorithms=["HS256"])
""",
        ),
        Example(
            "javascript",
            """const jwt = require('jsonwebtoken');
const token = jwt.sign({ id: user.id, role: user.role }, 'secret', { expiresIn: '1h' });
jwt.verify(req.headers.authorization, "secret", (err, decoded) => next());
""",
            lines=(2, 3),
        ),
        Example(
            "javascript",
            """const jwt = require('jsonwebtoken');
const token = jwt.sign({ id: user.id }, process.env.JWT_SECRET, { expiresIn: '1h' });
jwt.verify(token, config.jwtSecret);
""",
        ),
        Example(
            "java",
            """class Tokens {
  String issue(String user) {
    return Jwts.builder().setSubject(user).signWith(SignatureAlgorithm.HS256, "s3cr3t".getBytes()).compact();
  }
  Algorithm algorithm = Algorithm.HMAC256("webgoat");
  SecretKeySpec spec = new SecretKeySpec("0123456789abcdef".getBytes(), "HmacSHA256");
}
""",
            lines=(3, 5, 6),
        ),
        Example(
            "java",
            """class Tokens {
  String issue(String user) {
    return Jwts.builder().setSubject(user).signWith(key).compact();
  }
  Algorithm algorithm = Algorithm.HMAC256(properties.getSecret());
}
""",
        ),
        Example(
            "csharp",
            """class Tokens {
  SecurityKey Key() => new SymmetricSecurityKey(Encoding.UTF8.GetBytes("this is my custom Secret key for authentication"));
}
""",
            lines=(2,),
        ),
        Example(
            "csharp",
            """class Tokens {
  SecurityKey Key() => new SymmetricSecurityKey(Encoding.UTF8.GetBytes(configuration["Jwt:Key"]));
}
""",
        ),
        Example(
            "go",
            """package auth

func Issue(claims jwt.MapClaims) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte("secret"))
}

func Check(s string) (*jwt.Token, error) {
	return jwt.Parse(s, func(t *jwt.Token) (interface{}, error) {
		return []byte("secret"), nil
	})
}
""",
            lines=(4, 8),
        ),
        Example(
            "go",
            """package auth

func Issue(claims jwt.MapClaims) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(os.Getenv("JWT_SECRET")))
}

func Check(s string, key []byte) (*jwt.Token, error) {
	return jwt.Parse(s, func(t *jwt.Token) (interface{}, error) { return key, nil })
}
""",
        ),
    ),
)
