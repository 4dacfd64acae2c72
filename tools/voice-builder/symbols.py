"""The voice's symbols: Piper's phoneme_id_map, and how codepoints become phones.

Piper feeds one id per IPA codepoint. The voice's units, though, are phones: a long vowel
(`iː`), a diphthong (`aʊ`) or an affricate (`tʃ`) is one sound even though espeak-ng prints
it as two codepoints. The graph merges such digraphs, maps foreign letters to the nearest
English phone, and gives punctuation, BOS and EOS a silent phone `#` with a pause length.
"""

from __future__ import annotations

PAD, BOS, EOS = '_', '^', '$'
SILENCE = '#'

# Piper's usual order: specials, space and punctuation, ASCII letters, then IPA. Ids never
# change meaning once published, so new symbols go at the end.
_PUNCTUATION = [' ', '!', "'", '(', ')', ',', '-', '.', ':', ';', '?', '"', '…', '—', '–']
_ASCII = list('abcdefghijklmnopqrstuvwxyz')
_IPA = list(
    'æçðøħŋœǀǁǂǃɐɑɒɓɔɕɖɗɘəɚɛɜɞɟɠɡɢɣɤɥɦɧɨɪɫɬɭɮɯɰɱɲɳɴɵɶɸɹɺɻɽɾʀʁʂʃʄʈʉʊʋʌʍʎʏʐʑʒʔʕʘʙʛʜʝʟʡʢ'
    'ʲˈˌːˑ˞βθχᵻⱱɝʰʷˠˤ'
)
# Combining marks espeak-ng can print (syllabic, nasal, dental …) and the tie/joiner it uses
# in --ipa=3 output; they carry no sound of their own here.
_MARKS = ['\u0329', '\u0303', '\u032a', '\u032f', '\u0327', '\u0361', '\u035c', '\u0325', '\u031e', '\u200d']

SYMBOLS: tuple[str, ...] = tuple([PAD, BOS, EOS] + _PUNCTUATION + _ASCII + _IPA + _MARKS)

STRESS_MARKS = ('ˈ', 'ˌ')

# Pauses, in seconds, that a silent symbol adds on top of the silence at the edges of its units.
PAUSES: dict[str, float] = {
    BOS: 0.03, EOS: 0.06,
    ',': 0.16, ';': 0.2, ':': 0.2, '—': 0.16, '–': 0.16,
    '.': 0.3, '!': 0.3, '?': 0.3, '…': 0.3,
}

# Codepoint pairs that sound as one phone. No second element starts another pair, so merging
# greedily left to right never has to look further than one codepoint.
DIGRAPHS: dict[tuple[str, str], str] = {
    ('i', 'ː'): 'iː', ('u', 'ː'): 'uː', ('ɑ', 'ː'): 'ɑː', ('ɔ', 'ː'): 'ɔː', ('ɜ', 'ː'): 'ɜː',
    ('o', 'ː'): 'oː', ('e', 'ː'): 'eː', ('a', 'ː'): 'aː',
    ('o', 'ʊ'): 'oʊ', ('a', 'ɪ'): 'aɪ', ('e', 'ɪ'): 'eɪ', ('a', 'ʊ'): 'aʊ', ('ɔ', 'ɪ'): 'ɔɪ',
    ('t', 'ʃ'): 'tʃ', ('d', 'ʒ'): 'dʒ',
}

# What a phone missing from the corpus sounds like instead, best first. espeak-ng's English
# rarely prints these (foreign names, bare vowel letters), but every codepoint must say something.
SUBSTITUTES: dict[str, tuple[str, ...]] = {
    'a': ('æ',), 'e': ('ɛ',), 'o': ('oʊ',), 'u': ('uː',), 'ɑ': ('ɑː',), 'ɜ': ('ɜː',),
    'ɒ': ('ɑː',), 'eː': ('eɪ',), 'aː': ('ɑː',), 'oː': ('oʊ',),
    'y': ('uː',), 'ʏ': ('ʊ',), 'ø': ('ɜː',), 'œ': ('ɜː',), 'ɵ': ('ɜː',), 'ɞ': ('ɜː',),
    'ɘ': ('ə',), 'ɨ': ('ɪ',), 'ʉ': ('uː',), 'ɯ': ('uː',), 'ɤ': ('ʌ',), 'ɶ': ('æ',),
    'ɝ': ('ɚ',), 'ɐ': ('ə',), 'ᵻ': ('ɪ',), 'i': ('iː',), 'ɔ': ('ɔː', 'ɑː'),
    'c': ('k',), 'q': ('k',), 'g': ('ɡ',), 'r': ('ɹ',), 'x': ('k',), 'ç': ('h',), 'χ': ('h',),
    'ħ': ('h',), 'ʕ': ('h',), 'ɦ': ('h',), 'ʜ': ('h',), 'ɣ': ('ɡ',), 'ɢ': ('ɡ',), 'ɠ': ('ɡ',),
    'ʛ': ('ɡ',), 'β': ('v',), 'ⱱ': ('v',), 'ʋ': ('v',), 'ɸ': ('f',), 'ʁ': ('ɹ',), 'ʀ': ('ɹ',),
    'ɻ': ('ɹ',), 'ɺ': ('l',), 'ɽ': ('ɾ', 'd'), 'ɾ': ('d',), 'ɲ': ('n',), 'ɳ': ('n',), 'ɴ': ('ŋ',),
    'ɱ': ('m',), 'ɫ': ('l',), 'ɬ': ('l',), 'ɮ': ('l',), 'ɭ': ('l',), 'ʎ': ('l',), 'ʟ': ('l',),
    'ʝ': ('j',), 'ɥ': ('w',), 'ʍ': ('w',), 'ɰ': ('w',), 'ʂ': ('ʃ',), 'ɕ': ('ʃ',), 'ɧ': ('ʃ',),
    'ʐ': ('ʒ',), 'ʑ': ('ʒ',), 'ʈ': ('t',), 'ɖ': ('d',), 'ɟ': ('d',), 'ʄ': ('d',), 'ɗ': ('d',),
    'ɓ': ('b',), 'ʙ': ('b',), 'ʔ': ('t',), 'ʡ': ('t',), 'ʢ': ('h',),
}

# Letters that are never a sound of their own (clicks and modifiers stay silent).
_SOUNDLESS = set(_PUNCTUATION) | set(_MARKS) | {PAD, BOS, EOS, 'ˈ', 'ˌ', 'ː', 'ˑ', '˞', 'ʲ', 'ʰ', 'ʷ', 'ˠ', 'ˤ',
                                               'ǀ', 'ǁ', 'ǂ', 'ǃ', 'ʘ'}

VOWELS = frozenset({
    'i', 'iː', 'ɪ', 'e', 'eɪ', 'eː', 'ɛ', 'æ', 'a', 'aː', 'aɪ', 'aʊ', 'ɑ', 'ɑː', 'ɒ', 'ɔ', 'ɔː', 'ɔɪ',
    'o', 'oː', 'oʊ', 'ʊ', 'u', 'uː', 'ʌ', 'ə', 'ɚ', 'ɝ', 'ɜ', 'ɜː', 'ɐ', 'ᵻ', 'y', 'ʏ', 'ø', 'œ', 'ɵ',
    'ɘ', 'ɨ', 'ʉ', 'ɯ', 'ɤ', 'ɶ', 'ɞ',
})
VOICELESS = frozenset({'p', 't', 'k', 'f', 'θ', 's', 'ʃ', 'h', 'tʃ', 'ʔ', SILENCE})
# Stops: their units are cut in the closure, just before the burst, never through it.
PLOSIVES = frozenset({'p', 'b', 't', 'd', 'k', 'ɡ', 'tʃ', 'dʒ'})


def symbol_ids() -> dict[str, int]:
    return {s: i for i, s in enumerate(SYMBOLS)}


def is_sound(symbol: str) -> bool:
    """A codepoint that names a phone (possibly by substitution) rather than a mark or pause."""
    return symbol not in _SOUNDLESS and symbol not in PAUSES


def merge_codepoints(codepoints: list[str]) -> list[tuple[str, list[int]]]:
    """Phones of a codepoint string, with the indexes of the codepoints that make each one.

    Stress marks, spaces and other soundless codepoints are dropped; `#` stands for a pause.
    The graph applies the same rule to ids, so corpus and synthesis agree on what a phone is.
    """
    phones: list[tuple[str, list[int]]] = []
    i = 0
    while i < len(codepoints):
        c = codepoints[i]
        nxt = codepoints[i + 1] if i + 1 < len(codepoints) else None
        if nxt is not None and (c, nxt) in DIGRAPHS:
            phones.append((DIGRAPHS[(c, nxt)], [i, i + 1]))
            i += 2
            continue
        if c in PAUSES:
            phones.append((SILENCE, [i]))
        elif is_sound(c):
            phones.append((c, [i]))
        i += 1
    return phones
