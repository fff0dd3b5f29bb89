#!/usr/bin/env python3
"""Writes tokenizer/unicode_tables.inc from Python's unicodedata.

The tables hold what the tokenizer needs at run time and no more: the code
point classes the GPT-2 pre-tokenizer regex and the added-token word checks
use, canonical combining classes, full canonical decompositions and the
primary composites for NFC. Hangul is algorithmic and left out. Python 3.11
ships Unicode 14.0, the version Oniguruma 6.9.8 (the regex engine of the Rust
`tokenizers`) uses for \\p{L} and \\p{N}.

The Rust library's NFC (crate unicode-normalization-alignments) carries older
tables (Unicode 9/10): marks and composites added since are plain starters to
it. Parity needs the same, so the NFC data keeps only the code points that
library knows, found by asking it (`tokenizers`, in the project venv) about
each candidate; normalization data of assigned characters never changes, so
the knowledge is all that differs.

The BERT pipeline (BertNormalizer, BertPreTokenizer) classifies characters
with the Rust crate unicode_categories and lowercases with Rust's std, whose
Unicode versions differ from Python's; those classes and the lowercase
mapping are likewise read from `tokenizers` itself, one code point at a time.

Usage: .venv/bin/python gen_unicode_tables.py > ../unicode_tables.inc
"""
import sys
import unicodedata

from tokenizers import normalizers, pre_tokenizers

HF_NFC = normalizers.NFC()
HF_NFD = normalizers.NFD()
HF_CLEAN = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False,
                                      strip_accents=False, lowercase=False)
HF_CHINESE = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True,
                                        strip_accents=False, lowercase=False)
HF_STRIP = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False,
                                      strip_accents=True, lowercase=False)
HF_LOWER = normalizers.Lowercase()
HF_BERT_SPLIT = pre_tokenizers.BertPreTokenizer()

BLOCK = 128
MAX_CP = 0x110000
WHITE_SPACE = set(range(0x09, 0x0E)) | {0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F,
                                        0x205F, 0x3000} | set(range(0x2000, 0x200B))
# Other_Alphabetic code points outside the categories tested below (circled
# and squared Latin letters); Rust's \w uses Alphabetic.
OTHER_ALPHABETIC_SO = [(0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169),
                       (0x1F170, 0x1F189)]
HANGUL_S, HANGUL_L, HANGUL_V, HANGUL_T = 0xAC00, 0x1100, 0x1161, 0x11A7
HANGUL_SCOUNT = 11172


def is_hangul_syllable(cp):
    return HANGUL_S <= cp < HANGUL_S + HANGUL_SCOUNT


def canonical_mapping(cp):
    d = unicodedata.decomposition(chr(cp))
    if not d or d.startswith('<'):
        return None
    return [int(x, 16) for x in d.split()]


def rust_knows_mark(cp):
    """Whether the Rust NFC knows the non-zero combining class of `cp`."""
    c = unicodedata.combining(chr(cp))
    # Known, a mark of another class than the probe is reordered or lets the
    # probe compose with "a"; unknown, it blocks as a starter would.
    probe = "\u0316" if c == 230 else "\u0301"
    text = "a" + chr(cp) + probe
    return HF_NFC.normalize_str(text) != text


def rust_knows_decomposition(cp):
    ch = chr(cp)
    if unicodedata.normalize("NFC", ch) == ch:
        return HF_NFC.normalize_str(unicodedata.normalize("NFD", ch)) == ch
    return HF_NFC.normalize_str(ch) != ch


def bert_class(cp):
    """The BertClassBit flags of `cp` (unicode_data.h), as `tokenizers` sees it."""
    ch = chr(cp)
    f = 0
    cleaned = HF_CLEAN.normalize_str(ch)
    if cleaned == "":
        f |= 1  # clean_text removes it
    elif cleaned == " ":
        f |= 2  # clean_text makes it a space
    if HF_CHINESE.normalize_str(ch) == " %s " % ch:
        f |= 4
    # Strip accents is NFD, then dropping non-spacing marks: only characters
    # NFD leaves alone can reach the filter.
    if HF_NFD.normalize_str(ch) == ch and HF_STRIP.normalize_str(ch) == "":
        f |= 8
    if len(HF_BERT_SPLIT.pre_tokenize_str("a%sa" % ch)) == 3:
        f |= 16  # punctuation, isolated by BertPreTokenizer
    return f


def main():
    compositions = {}
    decompositions = {}
    second_elements = set(range(HANGUL_V, HANGUL_V + 21)) | set(range(HANGUL_T + 1, HANGUL_T + 28))
    for cp in range(MAX_CP):
        if 0xD800 <= cp < 0xE000 or is_hangul_syllable(cp):
            continue
        mapping = canonical_mapping(cp)
        if mapping is None or not rust_knows_decomposition(cp):
            continue
        decompositions[cp] = [ord(c) for c in unicodedata.normalize('NFD', chr(cp))]
        if len(mapping) == 2 and unicodedata.normalize('NFC', chr(cp)) == chr(cp):
            compositions[(mapping[0], mapping[1])] = cp
            second_elements.add(mapping[1])

    flags = [0] * MAX_CP
    ccc = [0] * MAX_CP
    for cp in range(MAX_CP):
        if 0xD800 <= cp < 0xE000:
            continue
        ch = chr(cp)
        cat = unicodedata.category(ch)
        f = 0
        if cat[0] == 'L':
            f |= 1
        if cat[0] == 'N':
            f |= 2
        if cp in WHITE_SPACE:
            f |= 4
        c = unicodedata.combining(ch)
        if c != 0 and not rust_knows_mark(cp):
            c = 0
        ccc[cp] = c
        if c == 0 and cp not in second_elements and unicodedata.normalize('NFC', ch) == ch:
            f |= 8
        word = cat[0] in 'LM' or cat in ('Nd', 'Nl', 'Pc') or cp in (0x200C, 0x200D)
        word = word or any(lo <= cp <= hi for lo, hi in OTHER_ALPHABETIC_SO)
        if word:
            f |= 16
        if cp in decompositions or is_hangul_syllable(cp):
            f |= 32
        flags[cp] = f

    bert = [0] * MAX_CP
    lowercase = {}
    for cp in range(MAX_CP):
        if 0xD800 <= cp < 0xE000:
            continue
        bert[cp] = bert_class(cp)
        lower = HF_LOWER.normalize_str(chr(cp))
        if lower != chr(cp):
            lowercase[cp] = [ord(c) for c in lower]

    out = sys.stdout
    out.write('// Generated by tools/gen_unicode_tables.py from Python unicodedata %s. Do not edit.\n'
              % unicodedata.unidata_version)
    write_two_level(out, 'kClass', flags)
    write_two_level(out, 'kCcc', ccc)
    write_two_level(out, 'kBert', bert)
    pool = []
    entries = []
    for cp in sorted(decompositions):
        entries.append((cp, len(pool), len(decompositions[cp])))
        pool.extend(decompositions[cp])
    out.write('constexpr uint32_t kDecompositionPool[] = {%s};\n' % ','.join(map(str, pool)))
    out.write('constexpr PooledMapping kDecompositions[] = {\n')
    for cp, off, n in entries:
        out.write('{%d,%d,%d},' % (cp, off, n))
    out.write('};\n')
    out.write('constexpr Composition kCompositions[] = {\n')
    for (a, b) in sorted(compositions):
        out.write('{%dull<<32|%d,%d},' % (a, b, compositions[(a, b)]))
    out.write('};\n')
    pool = []
    entries = []
    for cp in sorted(lowercase):
        entries.append((cp, len(pool), len(lowercase[cp])))
        pool.extend(lowercase[cp])
    out.write('constexpr uint32_t kLowercasePool[] = {%s};\n' % ','.join(map(str, pool)))
    out.write('constexpr PooledMapping kLowercase[] = {\n')
    for cp, off, n in entries:
        out.write('{%d,%d,%d},' % (cp, off, n))
    out.write('};\n')


def write_two_level(out, name, values):
    blocks = {}
    index = []
    data = []
    for start in range(0, MAX_CP, BLOCK):
        block = tuple(values[start:start + BLOCK])
        if block not in blocks:
            blocks[block] = len(blocks)
            data.extend(block)
        index.append(blocks[block])
    out.write('constexpr uint16_t %sIndex[] = {%s};\n' % (name, ','.join(map(str, index))))
    out.write('constexpr uint8_t %sData[] = {%s};\n' % (name, ','.join(map(str, data))))


if __name__ == '__main__':
    main()
