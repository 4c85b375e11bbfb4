"""Deserialisation, XML parsers, hard-coded secrets and insecure configuration."""

from __future__ import annotations

from backend_skills.checkers._redact import AWS_KEY, PRIVATE_KEY, TOKENS
from backend_skills.core.models import Confidence, Severity

from ._model import Example, Pattern, Rule

JS = ("javascript", "typescript")
CODE = ("java", "csharp", "go", "javascript", "typescript")
#: Lower-case fragments every credential name matched by BSSEC109 contains.
SECRET_NEEDLES = ("pass", "pwd", "secret", "token", "key", "credential")
#: Fixed prefixes of the well-known token formats (BSSEC110 looks further only then).
TOKEN_NEEDLES = (
    *("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA"),
    *("-----BEGIN", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "xox"),
    *("sk_live_", "rk_live_", "AIza", "SG."),
)

DESERIALIZATION = Rule(
    id="BSSEC107",
    title="Insecure deserialisation",
    skill="security",
    criterion="security.deserialization",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=502,
    taint=True,
    message="insecure deserialisation (`{name}`)",
    rationale=(
        "Deserialisers that rebuild arbitrary types (Java ObjectInputStream, XMLDecoder, "
        "SnakeYAML's default constructor, Jackson default typing; .NET BinaryFormatter and "
        "friends, Json.NET TypeNameHandling; node-serialize, js-yaml's unsafe loaders) run "
        "code chosen by whoever wrote the bytes (CWE-502)."
    ),
    fix="Exchange plain data (JSON into fixed types); for Java use an ObjectInputFilter allow-list or drop native serialisation, new Yaml(new SafeConstructor(...)); in .NET use System.Text.Json; in node use JSON.parse and js-yaml's default (safe) load.",
    patterns=(
        Pattern(
            languages=("java",),
            query="""(object_creation_expression type: (type_identifier) @name (#any-of? @name "ObjectInputStream" "XMLDecoder")) @match
              (method_invocation name: (identifier) @name (#any-of? @name "enableDefaultTyping" "activateDefaultTyping")) @match""",
            needles=("ObjectInputStream", "XMLDecoder", "DefaultTyping"),
        ),
        Pattern(
            languages=("java",),
            query="""(object_creation_expression type: (type_identifier) @name (#eq? @name "Yaml")
              arguments: (argument_list) @args (#eq? @args "()")) @match""",
            file_text=r"org\.yaml\.snakeyaml",
            needles=("Yaml",),
        ),
        Pattern(
            languages=("csharp",),
            query="""(object_creation_expression type: (identifier) @name
               (#any-of? @name "BinaryFormatter" "NetDataContractSerializer" "SoapFormatter" "LosFormatter" "ObjectStateFormatter")) @match
              (member_access_expression expression: (identifier) @t (#eq? @t "TypeNameHandling")
                 name: (identifier) @name (#any-of? @name "All" "Auto" "Objects" "Arrays")) @match""",
            needles=("Formatter", "NetDataContractSerializer", "TypeNameHandling"),
        ),
        Pattern(
            languages=("csharp",),
            query="""(object_creation_expression type: (_) @name
               (#match? @name "(XmlSerializer|DataContractSerializer|DataContractJsonSerializer)$")
               arguments: (argument_list . (argument (invocation_expression) @arg))) @match""",
            text=r"\(\s*(?:System\.)?Type\.GetType\s*\(",
            needles=("Serializer",),
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: (member_expression property: (property_identifier) @name
              (#any-of? @name "unserialize" "unsafeLoad"))) @match""",
            needles=("unserialize", "unsafeLoad"),
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: (member_expression property: (property_identifier) @name
              (#eq? @name "load")) arguments: (arguments (_) (object) @options)) @match""",
            text=r"DEFAULT_FULL_SCHEMA|FULL_SCHEMA",
            needles=("FULL_SCHEMA",),
        ),
    ),
    examples=(
        Example(
            "java",
            """class D {
  Object read(InputStream in) throws Exception {
    return new ObjectInputStream(in).readObject();
  }
}
""",
            lines=(3,),
        ),
        Example(
            "java",
            """class D {
  User read(InputStream in) throws Exception {
    return mapper.readValue(in, User.class);
  }
}
""",
        ),
        Example(
            "csharp",
            """class D {
  object Read(Stream s) { var f = new BinaryFormatter(); return f.Deserialize(s); }
}
""",
            lines=(2,),
        ),
        Example(
            "csharp",
            """class D {
  object Read(XmlElement item) {
    var xser = new XmlSerializer(Type.GetType(item.GetAttribute("Type")));
    return xser.Deserialize(new XmlTextReader(new StringReader(item.InnerXml)));
  }
}
""",
            lines=(3,),
        ),
        Example(
            "csharp",
            """class D {
  User Read(Stream s) { return JsonSerializer.Deserialize<User>(s); }
  Product[] Import(Stream s) { return (Product[]) new XmlSerializer(typeof(Product[])).Deserialize(s); }
}
""",
        ),
        Example(
            "javascript",
            """const serialize = require('node-serialize');
app.post('/profile', (req, res) => {
  const profile = serialize.unserialize(req.cookies.profile);
  res.json(profile);
});
""",
            lines=(3,),
        ),
        Example(
            "javascript",
            """app.post('/profile', (req, res) => {
  const profile = JSON.parse(req.cookies.profile);
  const config = yaml.load(text);
  res.json(profile);
});
""",
        ),
    ),
)

XXE = Rule(
    id="BSSEC108",
    title="XML parser open to external entities (XXE)",
    skill="security",
    criterion="security.deserialization",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=611,
    message="XML parser `{name}` without external entities and DTDs disabled in this file",
    rationale=(
        "An XML parser that resolves external entities reads local files and reaches "
        "internal URLs named by the document (XXE, CWE-611); DTD processing also allows "
        "billion-laughs denial of service."
    ),
    fix='Disable DTDs on the factory (setFeature("http://apache.org/xml/features/disallow-doctype-decl", true), XMLInputFactory.SUPPORT_DTD false); in .NET keep DtdProcessing.Prohibit and XmlResolver null; in libxmljs leave noent off.',
    patterns=(
        Pattern(
            languages=("java",),
            query="""(method_invocation object: (identifier) @name
              (#any-of? @name "DocumentBuilderFactory" "SAXParserFactory" "XMLInputFactory" "TransformerFactory" "SchemaFactory" "XMLReaderFactory")
              name: (identifier) @m (#any-of? @m "newInstance" "newFactory" "newDefaultFactory" "createXMLReader")) @match""",
            unless_file=r"disallow-doctype-decl|FEATURE_SECURE_PROCESSING|ACCESS_EXTERNAL_DTD|SUPPORT_DTD|IS_SUPPORTING_EXTERNAL_ENTITIES|external-general-entities",
            needles=("Factory",),
        ),
        Pattern(
            languages=("csharp",),
            query="""(assignment_expression left: (_) @name (#match? @name "(DtdProcessing|XmlResolver|ProhibitDtd)$") right: (_) @v) @match""",
            text=r"DtdProcessing\s*=\s*DtdProcessing\.Parse|XmlResolver\s*=\s*new\s+XmlUrlResolver|ProhibitDtd\s*=\s*false",
            needles=("DtdProcessing", "XmlResolver", "ProhibitDtd"),
        ),
        Pattern(
            languages=JS,
            query="""(pair key: (property_identifier) @name (#eq? @name "noent") value: (true)) @match""",
            needles=("noent",),
        ),
    ),
    examples=(
        Example(
            "java",
            """class X {
  Document parse(InputStream in) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    return f.newDocumentBuilder().parse(in);
  }
}
""",
            lines=(3,),
        ),
        Example(
            "java",
            """class X {
  Document parse(InputStream in) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(in);
  }
}
""",
        ),
        Example(
            "csharp",
            """class X {
  void P() { var s = new XmlReaderSettings(); s.DtdProcessing = DtdProcessing.Parse; }
}
""",
            lines=(2,),
        ),
        Example(
            "csharp",
            """class X {
  void P() { var s = new XmlReaderSettings(); s.DtdProcessing = DtdProcessing.Prohibit; }
}
""",
        ),
        Example(
            "javascript",
            """const doc = libxmljs.parseXml(req.body, { noent: true });
""",
            lines=(1,),
        ),
        Example(
            "javascript",
            """const doc = libxmljs.parseXml(req.body, { noent: false });
""",
        ),
    ),
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
            regex=r"""["'`@$][^"'`\n]*\b(?:Password|Pwd)\s*=\s*(?P<secret>[^;"'`\s{$]{3,})""",
            needles=("assword=", "assword =", "wd=", "WD="),
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
            "go",
            """package cfg

var key = "AKIAIOSFODNN7EXAMPLE"
""",
            lines=(3,),
        ),
    ),
)

CSRF = Rule(
    id="BSSEC111",
    title="CSRF protection disabled (Spring Security)",
    skill="security",
    criterion="security.configuration",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=352,
    message="CSRF protection is disabled (`{name}`)",
    rationale=(
        "With CSRF protection off, any site a logged-in user visits can submit forms to the "
        "service in their name (CWE-352). Disabling it is right only for stateless APIs "
        "authenticated by a header token, never with session cookies."
    ),
    fix="Keep CSRF on for cookie sessions (the default); for a stateless token API, make the session policy STATELESS and document why CSRF is off.",
    patterns=(
        Pattern(
            languages=("java",),
            query="""(method_invocation object: (method_invocation name: (identifier) @name (#eq? @name "csrf"))
              name: (identifier) @d (#eq? @d "disable")) @match""",
            unless_file=r"SessionCreationPolicy\.STATELESS",
            needles=("csrf",),
        ),
        Pattern(
            languages=("java",),
            query="""(method_invocation name: (identifier) @name (#eq? @name "csrf") arguments: (argument_list) @args) @match""",
            text=r"csrf\s*\(\s*(?:\w+\s*->\s*\w+\s*\.\s*disable\s*\(\s*\)|AbstractHttpConfigurer\s*::\s*disable|CsrfConfigurer\s*::\s*disable)\s*\)",
            unless_file=r"SessionCreationPolicy\.STATELESS",
            needles=("csrf",),
        ),
    ),
    examples=(
        Example(
            "java",
            """class Sec {
  SecurityFilterChain chain(HttpSecurity http) throws Exception {
    http.csrf().disable();
    return http.csrf(c -> c.disable()).build();
  }
}
""",
            lines=(3, 4),
        ),
        Example(
            "java",
            """class Sec {
  SecurityFilterChain chain(HttpSecurity http) throws Exception {
    return http.csrf(Customizer.withDefaults()).build();
  }
}
""",
        ),
        Example(
            "java",
            """class Sec {
  // A stateless token API: no session cookie, so nothing for CSRF to ride on.
  protected void configure(HttpSecurity http) throws Exception {
    http.csrf().disable()
        .sessionManagement().sessionCreationPolicy(SessionCreationPolicy.STATELESS);
  }
}
""",
        ),
    ),
)

CORS = Rule(
    id="BSSEC112",
    title="CORS allows any origin with credentials",
    skill="security",
    criterion="security.configuration",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    cwe=942,
    message="CORS lets any origin make credentialed requests (`{name}`)",
    rationale=(
        "Reflecting any origin (or `*`) while allowing credentials lets every web site read "
        "authenticated responses with the visitor's cookies (CWE-942)."
    ),
    fix="List the trusted origins explicitly; allow credentials only for those.",
    patterns=(
        Pattern(
            languages=("java",),
            query="""(annotation name: (identifier) @name (#eq? @name "CrossOrigin")) @match""",
            text=r"\"\*\"[\s\S]*allowCredentials\s*=\s*\"true\"|allowCredentials\s*=\s*\"true\"[\s\S]*\"\*\"",
            needles=("CrossOrigin",),
        ),
        Pattern(
            languages=("java",),
            query="""(method_invocation name: (identifier) @name
              (#any-of? @name "allowedOrigins" "allowedOriginPatterns" "addAllowedOrigin" "addAllowedOriginPattern" "setAllowedOrigins" "setAllowedOriginPatterns")
              arguments: (argument_list) @args (#match? @args "\\"\\\\*\\"")) @match""",
            file_text=r"(?:allowCredentials|setAllowCredentials)\s*\(\s*true\s*\)",
            needles=("llowedOrigin",),
        ),
        Pattern(
            languages=("csharp",),
            query="""(invocation_expression function: (member_access_expression name: (identifier) @name
              (#any-of? @name "AllowAnyOrigin" "SetIsOriginAllowed"))) @match""",
            text=r"AllowAnyOrigin|SetIsOriginAllowed\s*\(\s*\w+\s*=>\s*true",
            file_text=r"AllowCredentials\s*\(",
            needles=("AllowAnyOrigin", "SetIsOriginAllowed"),
        ),
        Pattern(
            languages=("go",),
            query="""(composite_literal body: (literal_value) @body) @match""",
            text=r"(?s)AllowCredentials\s*:\s*true.*(?:AllowOrigins|AllowedOrigins)\s*:\s*\[\]string\{\s*\"\*\"|(?:AllowOrigins|AllowedOrigins)\s*:\s*\[\]string\{\s*\"\*\".*AllowCredentials\s*:\s*true|AllowAllOrigins\s*:\s*true.*AllowCredentials\s*:\s*true|AllowCredentials\s*:\s*true.*AllowAllOrigins\s*:\s*true",
            needles=("AllowCredentials",),
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: (identifier) @name (#eq? @name "cors") arguments: (arguments (object) @o)) @match""",
            text=r"(?s)(?=.*credentials\s*:\s*true)(?=.*origin\s*:\s*(?:true\b|['\"]\*['\"]|\(?\s*\w*\s*,?\s*\w*\s*\)?\s*=>\s*\w+\s*\(\s*null\s*,\s*true))",
            needles=("credentials",),
        ),
    ),
    examples=(
        Example(
            "java",
            """@CrossOrigin(origins = "*", allowCredentials = "true")
class Api {}
""",
            lines=(1,),
        ),
        Example(
            "java",
            """@CrossOrigin(origins = "https://app.example.com", allowCredentials = "true")
class Api {}
""",
        ),
        Example(
            "java",
            """class Cors {
  CorsConfigurationSource source() {
    CorsConfiguration configuration = new CorsConfiguration();
    configuration.setAllowedOrigins(asList("*"));
    // setAllowCredentials(true) would be refused by browsers with the wildcard above
    configuration.setAllowCredentials(false);
    return configuration;
  }
}
""",
        ),
        Example(
            "java",
            """class Cors {
  CorsConfigurationSource source() {
    CorsConfiguration configuration = new CorsConfiguration();
    configuration.setAllowedOriginPatterns(asList("*"));
    configuration.setAllowCredentials(true);
    return configuration;
  }
}
""",
            lines=(4,),
        ),
        Example(
            "go",
            """package main

var c = cors.New(cors.Config{AllowOrigins: []string{"*"}, AllowCredentials: true})
""",
            lines=(3,),
        ),
        Example(
            "javascript",
            """app.use(cors({ origin: true, credentials: true }));
""",
            lines=(1,),
        ),
        Example(
            "javascript",
            """app.use(cors({ origin: ['https://app.example.com'], credentials: true }));
""",
        ),
    ),
)

EXPOSURE = Rule(
    id="BSSEC113",
    title="Management endpoints or debug tooling exposed",
    skill="security",
    criterion="security.configuration",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=215,
    message="configuration exposes management or debug endpoints",
    rationale=(
        "Spring Boot actuator endpoints exposed wholesale (`include=*`) publish the "
        "environment, heap dumps, configuration properties and sometimes shutdown; the H2 "
        "console and stack traces in error pages hand an attacker internals (CWE-215)."
    ),
    fix="Expose only health and info (management.endpoints.web.exposure.include=health,info), put the rest behind authentication on a separate port, and keep the H2 console and stack traces off outside development.",
    patterns=(
        Pattern(
            languages=("properties",),
            regex=r"^\s*(?:management\.endpoints\.web\.exposure\.include\s*[=:]\s*\*|spring\.h2\.console\.enabled\s*[=:]\s*true|server\.error\.include-stacktrace\s*[=:]\s*always)",
            needles=("management.", "h2.console", "include-stacktrace"),
        ),
        Pattern(
            languages=("yaml",),
            regex=r"^\s*include\s*:\s*['\"]?\*['\"]?\s*$",
            file_text=r"(?m)^\s*exposure\s*:",
            needles=("exposure",),
        ),
    ),
    examples=(
        Example(
            "properties",
            """spring.application.name=shop
management.endpoints.web.exposure.include=*
""",
            lines=(2,),
            path="src/main/resources/application.properties",
        ),
        Example(
            "properties",
            """management.endpoints.web.exposure.include=health,info
""",
            path="src/main/resources/application.properties",
        ),
        Example(
            "yaml",
            """management:
  endpoints:
    web:
      exposure:
        include: "*"
""",
            lines=(5,),
            path="src/main/resources/application.yml",
        ),
    ),
)

RULES: tuple[Rule, ...] = (DESERIALIZATION, XXE, SECRET, TOKEN, CSRF, CORS, EXPOSURE)

XSS_ESCAPING_OFF = Rule(
    id="BSSEC115",
    title="Template auto-escaping switched off",
    skill="security",
    criterion="security.injection",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    cwe=79,
    message="HTML auto-escaping is switched off (`{name}`)",
    rationale=(
        "With auto-escaping off every value a template prints is HTML: a user name such as "
        "`<script>...</script>` runs in every visitor's browser (cross-site scripting, CWE-79)."
    ),
    fix="Keep auto-escaping on (the default in swig, nunjucks, Handlebars, Razor and Thymeleaf) and mark only vetted fragments as safe.",
    patterns=(
        Pattern(
            languages=JS,
            query="""(pair key: [(property_identifier) (string)] @name
              (#match? @name "^['\\"]?(autoescape|noEscape|escape)['\\"]?$") value: [(false) (true)] @v) @match""",
            text=r"^['\"]?(?:autoescape|escape)['\"]?\s*:\s*false|^['\"]?noEscape['\"]?\s*:\s*true",
            needles=("autoescape", "noEscape", "escape"),
        ),
        Pattern(
            languages=("java",),
            query="""(method_invocation name: (identifier) @name (#eq? @name "setEscapeXml")
              arguments: (argument_list (false))) @match""",
            needles=("setEscapeXml",),
        ),
    ),
    examples=(
        Example(
            "javascript",
            """swig.setDefaults({ autoescape: false });
""",
            lines=(1,),
        ),
        Example(
            "javascript",
            """swig.setDefaults({ autoescape: true, cache: false });
""",
        ),
    ),
)

REDIRECT_SSRF = Rule(
    id="BSSEC116",
    title="Request input chooses where the server redirects or connects",
    skill="security",
    criterion="security.general",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=601,
    taint=True,
    message="a URL taken from the request is passed to `{name}`",
    rationale=(
        "Redirecting to a URL from the request sends users to any site the link's author "
        "chose (open redirect, CWE-601); fetching one makes the server reach internal hosts "
        "and cloud metadata endpoints for the attacker (SSRF, CWE-918)."
    ),
    fix="Redirect only to relative paths or an allow-list of hosts; fetch only URLs built from a fixed base and validated identifiers.",
    patterns=(
        Pattern(
            languages=JS,
            query="""(call_expression function: (member_expression object: (identifier) @o
                property: (property_identifier) @name (#eq? @name "redirect"))
              arguments: (arguments . (_) @arg .)) @match""",
            when="dynamic",
            text=r"^(?:res|response|reply|ctx)\s*\.\s*redirect\s*\(",
            needles=("redirect",),
        ),
        Pattern(
            languages=JS,
            query="""(call_expression function: [(identifier) @name
                (member_expression property: (property_identifier) @name)]
              (#any-of? @name "get" "post" "request" "fetch" "axios" "got")
              arguments: (arguments . (_) @arg)) @match""",
            when="dynamic",
            # a URL that starts with a fixed scheme and host is not the caller's choice
            text=r"^(?:(?:needle|axios|request|got|https?|superagent)\s*\.\s*(?:get|post|request)|fetch|axios|got)\s*\((?!\s*[`'\"]https?://[^$`'\"/]+/)",
            needles=("get", "post", "request", "fetch", "axios", "got"),
        ),
    ),
    examples=(
        Example(
            "javascript",
            """app.get('/learn', (req, res) => {
  res.redirect(req.query.url);
});
app.post('/research', (req, res) => {
  const url = req.query.url + req.query.symbol;
  needle.get(url, (err, resp) => res.send(resp.body));
});
""",
            lines=(2, 6),
        ),
        Example(
            "javascript",
            """app.get('/learn', (req, res) => {
  res.redirect('/tutorial');
});
app.get('/users', (req, res) => {
  const id = req.query.id;
  axios.get(`https://api.internal/users/${encodeURIComponent(id)}`);
});
""",
        ),
    ),
)

COOKIE = Rule(
    id="BSSEC117",
    title="Session cookie readable by scripts or sent without TLS",
    skill="security",
    criterion="security.configuration",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=1004,
    message="cookie settings switch `{name}` off",
    rationale=(
        "A session cookie without HttpOnly is readable by any injected script, and one without "
        "Secure travels over plain HTTP: either hands the session to an attacker (CWE-1004, CWE-614)."
    ),
    fix="Set httpOnly: true and secure: true on session cookies (HttpOnly and Secure in .NET's CookieOptions, server.servlet.session.cookie.http-only/secure in Spring).",
    patterns=(
        Pattern(
            languages=JS,
            query="""(pair key: (property_identifier) @name (#any-of? @name "httpOnly" "secure") value: (false)) @match""",
            needles=("httpOnly", "secure"),
        ),
        Pattern(
            languages=("csharp",),
            query="""(assignment_expression left: (_) @name (#match? @name "(HttpOnly|Secure)$") right: (boolean_literal) @v) @match""",
            text=r"=\s*false",
            needles=("HttpOnly", "Secure"),
        ),
    ),
    examples=(
        Example(
            "javascript",
            """app.use(session({
  secret: process.env.SESSION_SECRET,
  cookie: { httpOnly: false, secure: false },
}));
""",
            lines=(3,),
        ),
        Example(
            "javascript",
            """app.use(session({
  secret: process.env.SESSION_SECRET,
  cookie: { httpOnly: true, secure: true },
}));
""",
        ),
        Example(
            "csharp",
            """class C {
  void Configure(CookieOptions o) { o.HttpOnly = false; }
}
""",
            lines=(2,),
        ),
    ),
)

RULES = (*RULES, XSS_ESCAPING_OFF, REDIRECT_SSRF, COOKIE)

DEPENDENCY_PINNING = Rule(
    id="BSSEC118",
    title="Dependency neither pinned nor locked (npm, Go, NuGet, Maven, Gradle)",
    skill="security",
    criterion="security.dependencies",
    severity=Severity.LOW,
    confidence=Confidence.HIGH,
    cwe=1357,
    message="dependency `{name}` is neither pinned nor locked",
    rationale=(
        "A dependency declared with a range and no lock file installs whatever version is "
        "newest on the day of the build: builds stop being reproducible and a compromised "
        "release reaches production unreviewed. Go without go.sum does not check what it "
        "downloads."
    ),
    fix="Commit the lock file (package-lock.json, yarn.lock, pnpm-lock.yaml, go.sum, packages.lock.json with RestorePackagesWithLockFile, gradle.lockfile), or pin exact versions (central package management in Directory.Packages.props for .NET).",
    extra_languages=("json", "gomod", "xml", "groovy"),
    examples=(
        Example(
            "json",
            '{\n  "name": "shop",\n  "dependencies": {\n    "express": "^4.18.0"\n  }\n}\n',
            lines=(4,),
            path="package.json",
        ),
        Example(
            "json",
            '{\n  "name": "shop",\n  "dependencies": {\n    "express": "4.18.2"\n  }\n}\n',
            path="package.json",
        ),
        Example(
            "xml",
            '<Project Sdk="Microsoft.NET.Sdk">\n  <ItemGroup>\n    <PackageReference Include="Serilog" Version="3.*" />\n  </ItemGroup>\n</Project>\n',
            lines=(3,),
            path="Shop.csproj",
        ),
        Example(
            "gomod",
            "module shop\n\ngo 1.22\n\nrequire github.com/gin-gonic/gin v1.9.1\n",
            lines=(5,),
            path="go.mod",
        ),
    ),
)

RULES = (*RULES, DEPENDENCY_PINNING)
