using System.Globalization;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// Elasticsearch's <c>standard</c> analyzer, which indexes ECS's <c>*.text</c> multi-fields (match_only_text): Lucene's
/// StandardTokenizer splits on the word boundaries of Unicode UAX #29, tokens longer than 255 characters are split
/// there, and every token is lower-cased; no stop words are removed. Word boundaries as UAX #29 draws them:
/// letters and digits join (<c>x86</c>); '_' joins letters and digits (<c>x86_64</c>); '.', '\'' and ':' between two
/// letters join them (<c>evil.com</c>, <c>don't</c>, <c>a:b</c>); '.', ',', ';' and '\'' between two digits join them
/// (<c>10.0.0.1</c>); every other character (space, '/', '-', '\\', '=', a second ':') separates words and is dropped.
/// Han ideographs and Hiragana become one token per character (the tokenizer's ideographic rule); emoji are dropped.
/// </summary>
internal static class StandardAnalyzer
{
    public const int MaxTokenLength = 255;

    private enum WordClass
    {
        Other,
        Letter,
        Digit,
        ExtendNumLet,
        MidLetter,
        MidNum,
        MidNumLet,
        SingleQuote,
        Extend,
        Ideographic,
    }

    /// <summary>The lower-cased tokens of <paramref name="text"/>, in order (their positions are their indexes).</summary>
    public static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var kind = Classify(text, i);
            if (kind == WordClass.Ideographic)
            {
                tokens.Add(text.Substring(i, char.IsSurrogatePair(text, i) ? 2 : 1).ToLowerInvariant());
                i += char.IsSurrogatePair(text, i) ? 2 : 1;
                continue;
            }

            if (kind is not (WordClass.Letter or WordClass.Digit or WordClass.ExtendNumLet))
            {
                i += Width(text, i);
                continue;
            }

            var start = i;
            var last = kind;
            var hasWord = kind != WordClass.ExtendNumLet;
            i += Width(text, i);
            while (i < text.Length)
            {
                var next = Classify(text, i);
                if (next == WordClass.Extend)
                {
                    i += Width(text, i);
                    continue;
                }

                if (Joins(last, next))
                {
                    hasWord |= next != WordClass.ExtendNumLet;
                    last = next;
                    i += Width(text, i);
                    continue;
                }

                // A middle character joins only when the same kind of character follows it (WB6/7, WB11/12).
                if (IsMiddle(last, next) && i + Width(text, i) < text.Length)
                {
                    var after = i + Width(text, i);
                    var following = Classify(text, after);
                    if ((last == WordClass.Letter && following == WordClass.Letter && next is WordClass.MidLetter or WordClass.MidNumLet or WordClass.SingleQuote)
                        || (last == WordClass.Digit && following == WordClass.Digit && next is WordClass.MidNum or WordClass.MidNumLet or WordClass.SingleQuote))
                    {
                        last = following;
                        i = after + Width(text, after);
                        continue;
                    }
                }

                break;
            }

            if (hasWord)
            {
                var word = text[start..i].ToLowerInvariant();
                for (var at = 0; at < word.Length; at += MaxTokenLength)
                {
                    tokens.Add(word.Substring(at, Math.Min(MaxTokenLength, word.Length - at)));
                }
            }
        }

        return tokens;
    }

    /// <summary>Whether <paramref name="c"/> can stand inside a token (so a wildcard pattern holding it can match one).</summary>
    public static bool CanBeInToken(char c) =>
        Classify(c.ToString(), 0) is WordClass.Letter or WordClass.Digit or WordClass.ExtendNumLet or WordClass.MidLetter
            or WordClass.MidNum or WordClass.MidNumLet or WordClass.SingleQuote or WordClass.Extend;

    private static bool Joins(WordClass last, WordClass next) => (last, next) switch
    {
        (WordClass.Letter or WordClass.Digit or WordClass.ExtendNumLet, WordClass.Letter or WordClass.Digit or WordClass.ExtendNumLet) => true,
        _ => false,
    };

    private static bool IsMiddle(WordClass last, WordClass next) =>
        last is WordClass.Letter or WordClass.Digit
        && next is WordClass.MidLetter or WordClass.MidNum or WordClass.MidNumLet or WordClass.SingleQuote;

    private static int Width(string text, int i) => char.IsSurrogatePair(text, i) ? 2 : 1;

    private static WordClass Classify(string text, int i)
    {
        var c = text[i];
        switch (c)
        {
            case '_':
                return WordClass.ExtendNumLet;
            case ':' or '\u00B7' or '\u0387' or '\u05F4' or '\u2027' or '\uFE13' or '\uFE55' or '\uFF1A':
                return WordClass.MidLetter;
            case ',' or ';' or '\u037E' or '\u0589' or '\u060C' or '\u060D' or '\u066C' or '\u07F8' or '\u2044' or '\uFE10' or '\uFE14' or '\uFE50' or '\uFE54' or '\uFF0C' or '\uFF1B':
                return WordClass.MidNum;
            case '.' or '\u2018' or '\u2019' or '\u2024' or '\uFE52' or '\uFF07' or '\uFF0E':
                return WordClass.MidNumLet;
            case '\'':
                return WordClass.SingleQuote;
        }

        var codePoint = char.IsSurrogatePair(text, i) ? char.ConvertToUtf32(text, i) : c;
        if (IsIdeographic(codePoint))
        {
            return WordClass.Ideographic;
        }

        var category = char.IsSurrogatePair(text, i) ? CharUnicodeInfo.GetUnicodeCategory(codePoint) : CharUnicodeInfo.GetUnicodeCategory(c);
        return category switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber => WordClass.Letter,
            UnicodeCategory.DecimalDigitNumber => WordClass.Digit,
            UnicodeCategory.ConnectorPunctuation => WordClass.ExtendNumLet,
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format => WordClass.Extend,
            _ => WordClass.Other,
        };
    }

    private static bool IsIdeographic(int codePoint) =>
        codePoint is (>= 0x3040 and <= 0x309F) // Hiragana
            or (>= 0x3400 and <= 0x4DBF) or (>= 0x4E00 and <= 0x9FFF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x20000 and <= 0x3FFFF); // Han
}
