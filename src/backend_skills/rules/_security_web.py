"""Web configuration: CSRF protection, CORS, error and console exposure, template escaping,
redirects and outbound requests to request-chosen URLs, cookie flags."""

from __future__ import annotations

from backend_skills.core.models import Confidence, Severity

from ._model import Example, Pattern, Rule

JS = ("javascript", "typescript")

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
            # the text condition above needs one of these words (not "get" or "post":
            # nearly every file holds those, and the query would run over all of it)
            needles=("needle", "axios", "request", "got", "http", "superagent", "fetch"),
        ),
        Pattern(  # Go: http.Get(url), http.Post(url, ...), client.Get(url)
            languages=("go",),
            query="""(call_expression function: (selector_expression operand: (_) @client
                (#match? @client "(?i)^(http|client|httpclient|c\\.client|s\\.client)$")
                field: (field_identifier) @name (#any-of? @name "Get" "Head" "Post" "PostForm"))
              arguments: (argument_list . (_) @arg)) @match""",
            when="dynamic",
            needles=(".Get(", ".Head(", ".Post(", ".PostForm("),
            file_text=r"\bnet/http\b",
        ),
        Pattern(  # Java: response.sendRedirect(url)
            languages=("java",),
            # the application's own context path first: the redirect stays on the site
            query="""(method_invocation name: (identifier) @name (#eq? @name "sendRedirect")
              arguments: (argument_list . (_) @arg .
                (#not-match? @arg "^\\\\s*\\\\w+\\\\.getContextPath\\\\(\\\\)\\\\s*\\\\+\\\\s*\\"/"))) @match""",
            when="dynamic",
            needles=("sendRedirect",),
        ),
        Pattern(  # ASP.NET: Redirect(returnUrl), Response.Redirect(Request.QueryString["url"])
            languages=("csharp",),
            query="""(invocation_expression function: [(identifier) @name
                (member_access_expression name: (identifier) @name)]
              (#any-of? @name "Redirect" "RedirectPermanent")
              arguments: (argument_list . (argument (_) @arg
                (#not-match? @arg "^(string\\\\.Format\\\\()?\\\\$?@?\\"[~/]")) .)) @match""",
            when="dynamic",
            needles=("Redirect(", "RedirectPermanent("),
            # a return URL checked first (Url.IsLocalUrl, IdentityServer's authorization context)
            unless_function=r"\bIsLocalUrl\s*\(|\bGetAuthorizationContextAsync\s*\(|\bIsValidReturnUrl\s*\(",
        ),
        Pattern(  # Spring MVC: return "redirect:" + url (not "redirect:/owners/" + id)
            languages=("java",),
            query="""(binary_expression left: (string_literal) @name (#match? @name "^.redirect:.$")
              right: (_) @arg) @match""",
            when="dynamic",
            needles=('"redirect:',),
        ),
        Pattern(  # Java: new URL(url) opened; RestTemplate getForObject/getForEntity/exchange
            languages=("java",),
            query="""(object_creation_expression type: (type_identifier) @name (#eq? @name "URL")
              arguments: (argument_list . (_) @arg .)) @match""",
            when="dynamic",
            needles=("new URL(",),
            file_text=r"\.open(?:Connection|Stream)\s*\(",
        ),
        Pattern(
            languages=("java",),
            query="""(method_invocation name: (identifier) @name
              (#any-of? @name "getForObject" "getForEntity" "postForObject" "postForEntity"
                 "postForLocation" "exchange")
              arguments: (argument_list . (_) @arg)) @match""",
            when="dynamic",
            needles=("ForObject(", "ForEntity(", "ForLocation(", ".exchange("),
            file_text=r"\bRestTemplate\b",
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
        Example(
            "go",
            """package web

import "net/http"

func Proxy(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("url")
	resp, _ := http.Get(target)
	form, _ := http.PostForm(r.FormValue("hook"), url.Values{})
	_, _ = resp, form
}
""",
            lines=(7, 8),
        ),
        Example(
            "go",
            """package web

import "net/http"

func Proxy(w http.ResponseWriter, r *http.Request) {
	resp, _ := http.Get("https://api.internal/health")
	_ = resp
}
""",
        ),
        Example(
            "csharp",
            """public partial class OpenRedirect : System.Web.UI.Page {
  protected void Page_Load(object sender, EventArgs e) {
    Response.Redirect(Request.QueryString["url"]);
  }
}
public class AccountController : Controller {
  public IActionResult Login(string returnUrl) {
    return Redirect(returnUrl);
  }
}
""",
            lines=(3, 8),
        ),
        Example(
            "csharp",
            """public class AccountController : Controller {
  public IActionResult Login(string returnUrl) {
    if (Url.IsLocalUrl(returnUrl)) {
      return Redirect(returnUrl);
    }
    return Redirect("~/");
  }
  public IActionResult Brand(string slug) {
    if (slug.Length > 0) return Redirect(string.Format("~/{0}", slug));
    return Redirect($"/brands/{slug}");
  }
}
""",
        ),
        Example(
            "java",
            """class Links {
  @GetMapping("/go")
  String go(@RequestParam String next, HttpServletResponse response) throws Exception {
    response.sendRedirect(next);
    InputStream in = new URL(next).openStream();
    return "redirect:" + next;
  }
}
""",
            lines=(4, 5, 6),
        ),
        Example(
            "java",
            """class Links {
  @GetMapping("/go")
  String go(@RequestParam String next, HttpServletResponse response) throws Exception {
    response.sendRedirect("/home");
    response.sendRedirect(request.getContextPath() + "/login.jsp?next=" + next);
    return "redirect:/owners/" + next;
  }
}
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
