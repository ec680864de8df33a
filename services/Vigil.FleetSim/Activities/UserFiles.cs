namespace Vigil.FleetSim.Activities;

/// <summary>Documents and user data in a home folder: what people work on and what infostealers go after.</summary>
internal static class UserFiles
{
    public static readonly string[] Documents =
    [
        "Documents/Budget 2025.xlsx", "Documents/Contracts/NDA-acme.pdf", "Documents/Passport scan.pdf", "Documents/Taxes/2024-return.pdf",
        "Documents/Roadmap Q3.docx", "Documents/Board deck.pptx", "Documents/notes.txt", "Documents/Offer letter.pdf",
        "Desktop/passwords.txt", "Desktop/Screenshot 2025-03-02 at 10.14.22.png", "Desktop/wallet-backup.json", "Desktop/customer-list.csv",
    ];

    /// <summary>Credential and profile stores that only their owning app should read.</summary>
    public static readonly string[] Secrets =
    [
        "Library/Keychains/login.keychain-db",
        "Library/Application Support/Google/Chrome/Default/Cookies",
        "Library/Application Support/Google/Chrome/Default/Login Data",
        "Library/Cookies/Cookies.binarycookies",
        "Library/Application Support/Firefox/Profiles/x8k2p1qa.default-release/cookies.sqlite",
        "Library/Application Support/Firefox/Profiles/x8k2p1qa.default-release/logins.json",
        "Library/Mail/V10/7C3F2A15-4B0D-4E0A-9C56-3B0F2E6A1D44/INBOX.mbox/Messages/18342.emlx",
    ];

    public static readonly string[] Pictures = ["Pictures/IMG_4021.jpg", "Pictures/IMG_4022.jpg", "Pictures/IMG_4030.jpg", "Pictures/Holiday/IMG_3177.jpg", "Pictures/product-shot.jpg"];

    public static long SizeOf(ActivityContext c, string relativePath) => Path.GetExtension(relativePath) switch
    {
        ".txt" or ".json" or ".csv" => c.Rng.Between(500L, 200_000L),
        ".jpg" or ".png" => c.Rng.Between(800_000L, 9_000_000L),
        ".emlx" => c.Rng.Between(4_000L, 400_000L),
        "" or ".sqlite" or ".binarycookies" or ".keychain-db" => c.Rng.Between(40_000L, 2_000_000L),
        _ => c.Rng.Between(40_000L, 12_000_000L),
    };
}
