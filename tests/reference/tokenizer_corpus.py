"""Deterministic, generated text for tokenizer parity and benchmarks.

Every category the tokenizer must agree with Hugging Face on: prose, source
code, CJK, Arabic, Devanagari, emoji with ZWJ sequences, combining marks,
NFC/NFD pairs, cased and accented words (what BERT's lowercasing and accent
stripping see), words longer than WordPiece's max_input_chars_per_word,
punctuation runs, whitespace runs, control characters, special tokens
inside text, code points drawn from all of Unicode, long repeats of one
unit, and inputs over 100,000 characters. Texts come from a seeded generator, so they are reproducible
without being committed.
"""
import random
import unicodedata

WORDS = ("the of and to in is was that for on are with as his they be at one have this from "
         "or had by hot word but what some we can out other were all there when up use your how "
         "said an each she which do their time if will way about many then them write would like "
         "so these her long make thing see him two has look more day could go come did number "
         "sound no most people my over know water than call first who may down side been now "
         "find head stand own page should country found answer school grow study still learn "
         "plant cover food sun four between state keep eye never last let thought city tree "
         "cross farm hard start might story saw far sea draw left late run don't can't it's "
         "we're they've I'm you'll he'd John's McDonald O'Neil naïve café résumé Zürich "
         "encyclopaedia antidisestablishmentarianism COVID-19 e-mail 3.14159 1,000,000").split()
PUNCT = list(".,;:!?\"'()[]{}-–—…/\\@#$%^&*+=<>|~`")
CODE_SNIPPETS = [
    "def {n}(self, x, y=None):\n    if x is None:\n        return {{}}\n    return [i ** 2 for i in range(x)]\n",
    "for (int i = 0; i < {n}; ++i) {{\n\tsum += a[i] * b[i];\n}}\n",
    "#include <vector>\nstd::vector<int> {n}(size_t n) {{ return std::vector<int>(n, -1); }}\n",
    "    const auto& [key, value] = *it;  // {n}\n        x_{n}->y = 0x7fff'ffff;\n",
    "SELECT {n}, COUNT(*) FROM t WHERE a <> 'b' AND c >= 10 GROUP BY 1;\r\n",
    "<div class=\"{n}\">&nbsp;<a href='https://example.com/?q={n}&x=1'>link</a></div>\n",
    "fn {n}<'a>(s: &'a str) -> Option<&'a str> {{ s.split_once(':').map(|(a, _)| a) }}\n",
    "{{\"key_{n}\": [1, 2.5e-3, null, true, \"\\u00e9\\n\"]}}\n",
]
SPECIALS = ["[MASK]", "[CLS]", "[SEP]", "[PAD]", "[UNK]", "<|endoftext|>", "<|padding|>",
            "|||EMAIL_ADDRESS|||", "|||PHONE_NUMBER|||", "|||IP_ADDRESS|||", "[unused0]",
            "[unused42]", "[MAS", "[[MASK]]", "[mask]", "<mask>", "xx<mask>yy"]
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2003", "\u0085", "\u2028",
          "\u1680", "\u202f", "\v", "\f"]
CONTROLS = [chr(c) for c in list(range(0, 32)) + [127]] + ["\u200b", "\ufeff", "\u200d",
                                                          "\u200e", "\u2060", "\u00ad"]
EMOJI = ["😀", "👍🏽", "👩‍💻", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷", "🇯🇵", "❤️", "🧑🏿‍🚀", "✋🏻",
         "🫶", "👁️‍🗨️", "#️⃣", "🐈‍⬛", "☕", "🚀"]
SCRIPTS = {
    "cjk": [(0x4E00, 0x9FFF), (0x3040, 0x309F), (0x30A0, 0x30FF), (0xAC00, 0xD7A3),
            (0x3000, 0x303F), (0xFF01, 0xFF5E)],
    "arabic": [(0x0621, 0x064A), (0x064B, 0x0652), (0x0660, 0x0669), (0x06F0, 0x06F9)],
    "devanagari": [(0x0905, 0x0939), (0x093E, 0x094D), (0x0966, 0x096F), (0x0900, 0x0903)],
}
MARKS = [0x0300, 0x0301, 0x0302, 0x0303, 0x0308, 0x030A, 0x030C, 0x0323, 0x0327, 0x0328,
         0x031B, 0x0316, 0x0345, 0x0344, 0x0340, 0x0F71, 0x0F72, 0x05B0, 0x093C, 0x3099, 0x1161,
         0x11A8]
# Letters whose lowercase or decomposition is special: Turkish dotted I,
# sharp s, final sigma, ligatures, titlecase digraphs, Cherokee, Deseret.
CASED = "İIıiẞßΣσςǅǄǆﬁﬃŉΐΰᾼῼ" + "ᏣᏳᎩ" + "\U00010400\U00010428" + "ÀÉÎÕÜÇÑØÅÆŒĲ"
PUNCT_RUN_CHARS = list(".,;:!?'\"-()[]{}<>/\\@#*&%~^_|`+=$") + list("«»„“”‘’‹›…‽¡¿、。，！？・「」『』【】〈〉–—―‐‑※§¶†‡•")
ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉǍǎǕǖǗǘḀḁẠạẤấẦầẬậỆệỐốỒồỚớỜờỰựΐΰώἀἁ가각한글ẞÅΩ"


# Short inputs at the boundaries of each stage.
EDGE_TEXTS = ["", " ", "  ", "\n", "a", "é", "e\u0301", "\u0301", "[MASK]", " [MASK]", "[MASK] ",
              "  [MASK]", "[CLS][SEP]", "'s", " 's", "'S", "\ufeff", "\x00", "😀", " " * 25,
              " " * 24 + "x", "|||EMAIL_ADDRESS|||", "a|||PHONE_NUMBER|||b", "<mask>", "word",
              "a word.", "café", "cafe\u0301", "naïve  x",
              # BERT: lowercasing, accents, CJK, controls, cleanup in decoding
              "Héllo WÖRLD", "İstanbul", "STRASSE straße", "ΣΑΣ σας", "ﬁne", "\x00a\ufffdb",
              "中文字符", "日本語テキスト", "a" * 100, "a" * 101, "don't do not , . ! ? 's 've 're",
              "!!!???...", "[CLS] x [SEP]", "e\u0301\u0301", "\u0301abc", "Ǆemal"]


def _assigned(rng, lo, hi):
    while True:
        c = rng.randint(lo, hi)
        if not 0xD800 <= c < 0xE000 and unicodedata.category(chr(c)) != "Cn":
            return chr(c)


def prose(rng, n):
    out = []
    while sum(map(len, out)) < n:
        w = rng.choice(WORDS)
        r = rng.random()
        if r < 0.1:
            w = w.capitalize()
        elif r < 0.13:
            w = w.upper()
        out.append(w)
        if rng.random() < 0.15:
            out.append(rng.choice(PUNCT))
        out.append(" " if rng.random() < 0.9 else rng.choice([" ", "  ", "\n", "\n\n", " \n"]))
    return "".join(out)


def cased(rng, n):
    """Words mixing case and accents, for lowercasing and accent stripping."""
    out = []
    while sum(map(len, out)) < n:
        w = "".join(rng.choice(CASED + ACCENTED + "abcXYZ") for _ in range(rng.randint(1, 10)))
        out.append(w.upper() if rng.random() < 0.2 else w)
        out.append(rng.choice([" ", " ", "-", ", ", "\n"]))
    return "".join(out)


def long_words(rng, n):
    """Words around and beyond max_input_chars_per_word (100 characters)."""
    out = []
    while sum(map(len, out)) < n:
        length = rng.choice([rng.randint(90, 110), rng.randint(1, 400), 100, 101])
        alphabet = rng.choice(["abcdefghij", ACCENTED, "ab1", "e\u0301", "ΑβΓ"])
        out.append("".join(rng.choice(alphabet) for _ in range(length)))
        out.append(rng.choice([" ", "\n", ".", " - "]))
    return "".join(out)


def punct_runs(rng, n):
    """Runs of ASCII and Unicode punctuation, alone and against words."""
    out = []
    while sum(map(len, out)) < n:
        out.append("".join(rng.choice(PUNCT_RUN_CHARS) for _ in range(rng.randint(1, 30))))
        out.append(rng.choice(["", " ", "word", "n't", " 's ", "do not", "中"]))
    return "".join(out)


def code(rng, n):
    out = []
    while sum(map(len, out)) < n:
        out.append(rng.choice(CODE_SNIPPETS).format(n="name_%d" % rng.randint(0, 999)))
        out.append(" " * rng.randint(0, 12) if rng.random() < 0.3 else "")
    return "".join(out)


def script(rng, n, name):
    ranges = SCRIPTS[name]
    out = []
    while len(out) < n:
        lo, hi = rng.choice(ranges)
        out.append(_assigned(rng, lo, hi))
        if rng.random() < 0.12:
            out.append(rng.choice([" ", "。", "، ", "। ", "\n", "1", "ab"]))
    return "".join(out)


def emoji(rng, n):
    out = []
    while sum(map(len, out)) < n:
        out.append(rng.choice(EMOJI))
        if rng.random() < 0.4:
            out.append(rng.choice([" ", "", "word", "\u200d", "\ufe0f", "!"]))
    return "".join(out)


def marks(rng, n):
    out = []
    while sum(map(len, out)) < n:
        out.append(rng.choice("aeiouAEIOUnczsgk가ᄀ" + ACCENTED + " "))
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            out.append(chr(rng.choice(MARKS)))
    return "".join(out)


def nf_pairs(rng, n):
    base = []
    while sum(map(len, base)) < n // 2:
        base.append("".join(rng.choice(ACCENTED + "abc ") for _ in range(rng.randint(1, 9))))
        base.append(" ")
    s = "".join(base)
    return unicodedata.normalize("NFD", s) + " | " + unicodedata.normalize("NFC", s)


def whitespace(rng, n):
    out = []
    while sum(map(len, out)) < n:
        k = rng.random()
        if k < 0.5:
            out.append(" " * rng.randint(1, 40))
        else:
            out.append("".join(rng.choice(SPACES) for _ in range(rng.randint(1, 6))))
        out.append(rng.choice(["x", "word", "1", "!", "é", "[MASK]", ""]))
    return "".join(out)


def controls(rng, n):
    return "".join(rng.choice(CONTROLS + list("ab c")) for _ in range(n))


def specials(rng, n):
    out = []
    while sum(map(len, out)) < n:
        out.append(rng.choice(SPECIALS))
        out.append(rng.choice(["", " ", "  ", "\t", "word", " a ", "\n", "   "]))
    return "".join(out)


def random_unicode(rng, n):
    out = []
    for _ in range(n):
        r = rng.random()
        out.append(_assigned(rng, 0, 0x2FFFF) if r < 0.7 else _assigned(rng, 0, 0x7FF))
    return "".join(out)


def runs(rng, n):
    """Long repeats of one unit: the worst cases for pre-tokenizer and BPE."""
    unit = rng.choice(["\t", " ", "a", "1", "é", "e\u0301", "\u0301", "[MASK]", " [MASK]", "'s",
                       "😀", "\u3000", "ab ", "\r\n", "\u200d", "  x"])
    return unit * max(1, n * rng.randint(1, 5) // len(unit))


def mixed(rng, n):
    parts = []
    while sum(map(len, parts)) < n:
        parts.append(rng.choice(GENERATORS)(rng, rng.randint(5, 200)))
    return "".join(parts)


GENERATORS = [prose, code, lambda r, n: script(r, n, "cjk"), lambda r, n: script(r, n, "arabic"),
              lambda r, n: script(r, n, "devanagari"), emoji, marks, nf_pairs, whitespace,
              controls, specials, random_unicode, runs, cased, long_words, punct_runs]
CATEGORIES = ["prose", "code", "cjk", "arabic", "devanagari", "emoji", "marks", "nf_pairs",
              "whitespace", "controls", "specials", "random_unicode", "runs", "cased", "long_words",
              "punct_runs", "mixed"]


def corpus(seed, total_chars, long_texts=2):
    """Yields (category, text) until about total_chars characters."""
    rng = random.Random(seed)
    generators = dict(zip(CATEGORIES, GENERATORS + [mixed]))
    produced = 0
    for text in EDGE_TEXTS:
        yield "edge", text
    for i in range(long_texts):
        text = mixed(rng, 100_500 + i * 7)
        produced += len(text)
        yield "long", text
    while produced < total_chars:
        category = CATEGORIES[rng.randrange(len(CATEGORIES))]
        text = generators[category](rng, int(rng.expovariate(1 / 400)) + 1)
        produced += len(text)
        yield category, text


def training_text(seed=1):
    """Text to train the fixture BPE on (prose and code weigh most)."""
    rng = random.Random(seed)
    out = [prose(rng, 300_000), code(rng, 100_000)]
    for name in SCRIPTS:
        out.append(script(rng, 20_000, name))
    out += [emoji(rng, 3000), marks(rng, 5000), nf_pairs(rng, 5000)]
    return out
