"""Which names a value reads, as the taint call reader follows locals to parameters: a
name counts where it is read as a variable (a member access's object, not its member
name; not inside a string or an anonymous function), C#'s contextual keywords used as
names included."""

from __future__ import annotations

from typing import Any

import pytest

from .test_taint_calls import _facts


def _through(language: str, path: str, code: str) -> set[tuple[str, int, int, str]]:
    found: list[dict[str, Any]] = _facts(language, path, code)["through"]
    return {(f["call"], f["position"], f["param"], f["method"]) for f in found}


CSHARP = """
class Mailer {
    public void Send(string to, string from, string alias) {
        var message = new MailMessage { From = new MailAddress(from), Subject = "from" };
        client.SendMailAsync(message);
        var payment = new PaymentMethod(alias, 3);
        payments.Add(payment);
    }
    public void Member(string name) {
        var x = repo.name;
        var y = "name";
        Func<string> f = () => name;
        db.Run(x, y, f);
    }
}
"""


def test_csharp_contextual_keywords_are_names_and_members_are_not() -> None:
    through = _through("csharp", "Mailer.cs", CSHARP)
    assert ("SendMailAsync", 0, 1, "Send") in through  # ``from`` in the initialiser
    assert ("Add", 0, 2, "Send") in through  # ``alias`` as an argument
    assert not any(method == "Member" for _, _, _, method in through)


GO = """
package h
func Save(name string, id string) {
    q := fmt.Sprintf("SELECT %s", name)
    other := store.name
    text := "id"
    f := func() string { return id }
    db.Exec(q)
    db.Exec(other)
    db.Exec(text)
    db.Exec(f)
}
"""


def test_go_locals_read_only_where_the_name_is_a_variable() -> None:
    through = _through("go", "h.go", GO)
    assert through == {("Sprintf", 1, 0, "Save"), ("Exec", 0, 0, "Save")}


JS = """
function handle(input, extra) {
  const a = { input: 1, other: extra.value };
  const b = `${input}`;
  const c = obj.input;
  run(a); run(b); run(c);
}
"""


@pytest.mark.parametrize("language", ["javascript", "typescript"])
def test_javascript_keys_and_members_are_not_reads(language: str) -> None:
    through = _through(language, "h.js" if language == "javascript" else "h.ts", JS)
    runs = {param for call, _, param, _ in through if call == "run"}
    assert runs == {1, 0}  # a: extra (the key ``input`` is no read); b: input; c: none
