namespace Vigil.Adapters;

/// <summary>
/// The <c>es_event_type_t</c> numbers eslogger prints in <c>event_type</c> (EndpointSecurity/ESTypes.h). Only the
/// NOTIFY events Vigil maps are named; the numbering is Apple's and stable across releases (new types are appended).
/// </summary>
public enum EsloggerEventType
{
    Exec = 9,
    Open = 10,
    Fork = 11,
    Close = 12,
    Create = 13,
    Exit = 15,
    KextLoad = 17,
    Mmap = 20,
    Rename = 25,
    SetExtAttr = 27,
    Signal = 31,
    Unlink = 32,
    Write = 33,
    DeleteExtAttr = 70,
    XpMalwareDetected = 112,
    BtmLaunchItemAdd = 124,
    OdGroupAdd = 132,
    OdGroupRemove = 133,
    GatekeeperUserOverride = 146,
    TccModify = 147,
}
