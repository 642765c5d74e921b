namespace ChatAdvisor.Core.Retrieval;

/// <summary>
/// The Porter (1980) suffix-stripping stemmer for English: "frameworks" → "framework", "validation" → "valid",
/// "scaling" → "scale". Input is a lower-case word.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class PorterStemmer
{
    /// <summary>The stem of <paramref name="word"/> (lower-case ASCII letters; other words are returned unchanged).</summary>
    public static string Stem(string word)
    {
        if (word.Length <= 2)
            return word;
        foreach (char c in word)
        {
            if (c is < 'a' or > 'z')
                return word;
        }
        var w = new Word(word.ToCharArray());
        w.Step1ab();
        if (w.End > 0)
        {
            w.Step1c();
            w.Step2();
            w.Step3();
            w.Step4();
            w.Step5();
        }
        return new string(w.Chars, 0, w.End + 1);
    }

    private sealed class Word(char[] chars)
    {
        public readonly char[] Chars = chars;
        public int End = chars.Length - 1; // index of the last character of the current stem
        private int _j;                     // end of the stem before a matched suffix

        private bool IsConsonant(int i) => Chars[i] switch
        {
            'a' or 'e' or 'i' or 'o' or 'u' => false,
            'y' => i == 0 || !IsConsonant(i - 1),
            _ => true,
        };

        // m(): the number of vowel-consonant sequences in Chars[0.._j].
        private int Measure()
        {
            int n = 0, i = 0;
            while (true)
            {
                if (i > _j) return n;
                if (!IsConsonant(i)) break;
                i++;
            }
            i++;
            while (true)
            {
                while (true)
                {
                    if (i > _j) return n;
                    if (IsConsonant(i)) break;
                    i++;
                }
                i++;
                n++;
                while (true)
                {
                    if (i > _j) return n;
                    if (!IsConsonant(i)) break;
                    i++;
                }
                i++;
            }
        }

        private bool VowelInStem()
        {
            for (int i = 0; i <= _j; i++)
            {
                if (!IsConsonant(i)) return true;
            }
            return false;
        }

        private bool DoubleConsonant(int i) => i >= 1 && Chars[i] == Chars[i - 1] && IsConsonant(i);

        // cvc(i): consonant-vowel-consonant ending at i, the last not w, x or y.
        private bool Cvc(int i)
        {
            if (i < 2 || !IsConsonant(i) || IsConsonant(i - 1) || !IsConsonant(i - 2)) return false;
            return Chars[i] is not ('w' or 'x' or 'y');
        }

        private bool EndsWith(string s)
        {
            int length = s.Length;
            if (length > End + 1) return false;
            for (int i = 0; i < length; i++)
            {
                if (Chars[End - length + 1 + i] != s[i]) return false;
            }
            _j = End - length;
            return true;
        }

        private void SetTo(string s)
        {
            for (int i = 0; i < s.Length; i++)
                Chars[_j + 1 + i] = s[i];
            End = _j + s.Length;
        }

        private void ReplaceIfMeasured(string s)
        {
            if (Measure() > 0) SetTo(s);
        }

        public void Step1ab()
        {
            if (Chars[End] == 's')
            {
                if (EndsWith("sses")) End -= 2;
                else if (EndsWith("ies")) SetTo("i");
                else if (End >= 1 && Chars[End - 1] != 's') End--;
            }
            if (EndsWith("eed"))
            {
                if (Measure() > 0) End--;
            }
            else if ((EndsWith("ed") || EndsWith("ing")) && VowelInStem())
            {
                End = _j;
                if (EndsWith("at")) SetTo("ate");
                else if (EndsWith("bl")) SetTo("ble");
                else if (EndsWith("iz")) SetTo("ize");
                else if (DoubleConsonant(End))
                {
                    End--;
                    if (Chars[End] is 'l' or 's' or 'z') End++;
                }
                else if (Measure() == 1 && Cvc(End))
                {
                    _j = End;
                    SetTo("e");
                }
            }
        }

        public void Step1c()
        {
            if (EndsWith("y") && VowelInStem()) Chars[End] = 'i';
        }

        private static readonly (string Suffix, string Replacement)[] Step2Rules =
        [
            ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"), ("bli", "ble"),
            ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"),
            ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"),
            ("iviti", "ive"), ("biliti", "ble"), ("logi", "log"),
        ];

        private static readonly (string Suffix, string Replacement)[] Step3Rules =
        [
            ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""),
        ];

        private static readonly string[] Step4Suffixes =
        [
            "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate", "iti",
            "ous", "ive", "ize",
        ];

        public void Step2()
        {
            foreach (var (suffix, replacement) in Step2Rules)
            {
                if (EndsWith(suffix))
                {
                    ReplaceIfMeasured(replacement);
                    return;
                }
            }
        }

        public void Step3()
        {
            foreach (var (suffix, replacement) in Step3Rules)
            {
                if (EndsWith(suffix))
                {
                    ReplaceIfMeasured(replacement);
                    return;
                }
            }
        }

        public void Step4()
        {
            foreach (var suffix in Step4Suffixes)
            {
                if (!EndsWith(suffix))
                    continue;
                if (suffix == "ion" && !(_j >= 0 && Chars[_j] is 's' or 't'))
                    return;
                if (Measure() > 1)
                    End = _j;
                return;
            }
        }

        public void Step5()
        {
            _j = End;
            if (Chars[End] == 'e')
            {
                int m = Measure();
                if (m > 1 || (m == 1 && !Cvc(End - 1))) End--;
            }
            if (Chars[End] == 'l' && DoubleConsonant(End))
            {
                _j = End;
                if (Measure() > 1) End--;
            }
        }
    }
}
