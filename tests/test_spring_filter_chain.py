"""Spring Security request-matcher rules as the authorization inventory reads them."""

from __future__ import annotations

import pytest

from backend_skills import score

from .conftest import TreeFactory

CONTROLLER = """\
@RestController
@RequestMapping("/articles")
class ArticleApi {
  @GetMapping("/{slug}")
  public Article get(@PathVariable String slug) { return null; }

  @PutMapping("/{slug}")
  public Article update(@PathVariable String slug, @RequestBody Article body) { return null; }
}
"""

SECURITY = """\
class WebSecurityConfig {
  protected void configure(HttpSecurity http) throws Exception {
    http.sessionManagement()
        .sessionCreationPolicy(SessionCreationPolicy.STATELESS)
        .and()
        .authorizeRequests()
        .antMatchers(HttpMethod.OPTIONS)
        .permitAll()
        .antMatchers(HttpMethod.GET, "/articles/**")
        .permitAll()
        .anyRequest()
        .LAST();
  }
}
"""


@pytest.mark.parametrize(("last", "update_public"), [("authenticated", False), ("permitAll", True)])
def test_a_method_only_matcher_covers_that_method_and_nothing_else(
    make_tree: TreeFactory, last: str, update_public: bool
) -> None:
    """``antMatchers(HttpMethod.OPTIONS).permitAll()`` opens the preflight requests, not
    every request: the PUT falls through to ``anyRequest()``."""
    pytest.importorskip("tree_sitter_java")
    root = make_tree(
        {
            "pom.xml": "<project><artifactId>spring-boot-starter-security</artifactId></project>\n",
            "src/main/java/app/ArticleApi.java": CONTROLLER,
            "src/main/java/app/WebSecurityConfig.java": SECURITY.replace("LAST", last),
        }
    )
    report = score(root, skills=["security"], isolated=True, cache=False)
    by = {(e.method, e.path): e for e in report.endpoints}
    assert by[("GET", "/articles/{slug}")].public  # opened on purpose, for GET only
    assert by[("PUT", "/articles/{slug}")].public is update_public
    unprotected_writes = {(f.path, f.line) for f in report.findings if f.rule == "BSSEC040"}
    put_line = next(
        n for n, line in enumerate(CONTROLLER.splitlines(), 1) if "Article update(" in line
    )
    expected = {("src/main/java/app/ArticleApi.java", put_line)} if update_public else set()
    assert unprotected_writes == expected
