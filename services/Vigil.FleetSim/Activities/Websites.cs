namespace Vigil.FleetSim.Activities;

/// <summary>Sites people browse and what they download from them.</summary>
internal static class Websites
{
    public static readonly string[] Popular =
    [
        "www.google.com", "mail.google.com", "docs.google.com", "github.com", "stackoverflow.com", "www.nytimes.com",
        "en.wikipedia.org", "www.youtube.com", "www.linkedin.com", "news.ycombinator.com", "www.bbc.co.uk",
        "outlook.office.com", "app.slack.com", "www.notion.so", "zoom.us", "www.amazon.com", "www.reddit.com",
        "developer.apple.com", "www.apple.com", "www.figma.com", "calendar.google.com", "www.atlassian.net",
    ];

    public static readonly string[] Subresources =
    [
        "fonts.gstatic.com", "www.gstatic.com", "cdn.jsdelivr.net", "static.xx.fbcdn.net", "cdnjs.cloudflare.com",
        "www.googletagmanager.com", "s.yimg.com", "assets.msn.com", "github.githubassets.com", "i.ytimg.com",
    ];

    /// <summary>Everyday downloads: documents and archives that are never executed.</summary>
    public static readonly (string Name, string Domain, string Header, long MinSize, long MaxSize)[] Documents =
    [
        ("Q3-report.pdf", "docs.google.com", FileHeaders.Pdf, 200_000, 4_000_000),
        ("invoice-2291.pdf", "mail.google.com", FileHeaders.Pdf, 40_000, 300_000),
        ("boarding-pass.pdf", "mail.google.com", FileHeaders.Pdf, 60_000, 200_000),
        ("design-assets.zip", "www.figma.com", FileHeaders.Zip, 2_000_000, 60_000_000),
        ("team-photo.jpg", "outlook.office.com", FileHeaders.Jpeg, 500_000, 6_000_000),
        ("dataset-2025.zip", "github.com", FileHeaders.Zip, 1_000_000, 20_000_000),
    ];
}
