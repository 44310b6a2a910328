namespace Did.Features.Dids;

/// <summary>What libphonenumber says a number is (JSON and database text: FIXED_LINE, MOBILE, TOLL_FREE, ...).
/// FIXED_LINE_OR_MOBILE is where the numbering plan does not tell them apart (the US and Canada).</summary>
public enum NumberType
{
    FixedLine,
    Mobile,
    FixedLineOrMobile,
    TollFree,
    PremiumRate,
    SharedCost,
    Voip,
    PersonalNumber,
    Pager,
    Uan,
    Voicemail,
}
