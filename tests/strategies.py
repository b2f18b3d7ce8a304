"""Hypothesis strategies shared by the tests."""

from hypothesis import strategies as st

cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
fullwidth = st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)
emoji = st.sampled_from(["😡", "🙏", "😭", "👍", "🤬", "👨‍👩‍👧", "🇨🇳", "❤️"])
special = st.sampled_from(["\u200b", "\ufeff", "\u200d", "\u3000", "\n", "\t", "\x00", "\x7f", "\u202e", "\ud800",
                           "  ", "①", "㈱", "…", "ｱ", "é", "e\u0301", "İ", "ß", "Ⅻ"])
ascii_text = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
mixed_char = st.one_of(cjk, fullwidth, ascii_text, special, emoji, st.characters())

#: any text a customer (or a broken client) could send
texts = st.lists(mixed_char, max_size=60).map("".join)
#: mostly Chinese text with the usual noise
chinese = st.lists(st.one_of(cjk, cjk, cjk, fullwidth, ascii_text, emoji, special), min_size=1, max_size=80).map("".join)


def run_in_threads(work, n: int = 8) -> list:  # type: ignore[no-untyped-def]
    """Run ``work()`` in ``n`` threads at once; return each thread's result (re-raising any error)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(work) for _ in range(n)]
        return [f.result() for f in futures]
