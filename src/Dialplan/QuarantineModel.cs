namespace Did.Dialplan;

internal sealed partial class DialplanModel
{
    private sealed partial class Builder
    {
        // ---- Quarantined numbers ----

        /// <summary>The routed numbers with the quarantined ones merged in, in numeric order, so each lands in its shard
        /// like any number: its extension runs the checked <see cref="DialplanSettings.QuarantineAction"/> (labelled
        /// <see cref="RouteForms.QuarantineLabel"/>, which the walker reports) then Hangup(). A quarantined number has no
        /// tenant, so it can never also be routed; one that is, or is not E.164, or is listed twice, is refused.</summary>
        private NumberModel[] WithQuarantined(NumberModel[] routed, IReadOnlyList<QuarantinedNumber>? quarantined)
        {
            var parsed = ExternalAction.ParsePlatform(Settings.QuarantineAction, Settings.ExternalActions);
            if (!parsed.IsValid)
                Refuse(null, "settings: QuarantineAction " + Grammar.Quote(Settings.QuarantineAction) + " refused, " + parsed.Message);
            if (quarantined is not { Count: > 0 } || parsed.Action is not { } action) return routed;

            RouteBlock[] intercept = [new(RouteForms.QuarantineLabel, [action.Text, "Hangup()"])];
            var numbers = quarantined.Select(q => q.Number).ToArray();
            Array.Sort(numbers, CompareNumbers);
            // An array cut to length at the end (only a refusal leaves it short) rather than a list copied out: one number
            // array instead of two.
            var result = new NumberModel[routed.Length + numbers.Length];
            var count = 0;
            var r = 0;
            for (var i = 0; i < numbers.Length; i++)
            {
                var number = numbers[i];
                // Made only for a message: a number that passes needs none.
                string What() => "quarantined number " + Grammar.Quote(number);
                if (number is null || !Grammar.IsE164(number)) { Refuse(null, What() + " is not E.164 (^\\+[1-9][0-9]{1,14}$)"); continue; }
                if (i > 0 && numbers[i - 1] == number) { Refuse(null, What() + " is listed twice"); continue; }
                while (r < routed.Length && CompareNumbers(routed[r].Number, number) < 0) result[count++] = routed[r++];
                if (r < routed.Length && routed[r].Number == number) { Refuse(null, What() + " is also routed"); continue; }
                result[count++] = new NumberModel(number, null, null, null, intercept);
            }
            while (r < routed.Length) result[count++] = routed[r++];
            if (count != result.Length) Array.Resize(ref result, count);
            return result;
        }
    }
}
