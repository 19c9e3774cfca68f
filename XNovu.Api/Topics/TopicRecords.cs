namespace XNovu.Api.Topics;

public sealed record TopicBody(string? TopicKey, string? Name);

public sealed record TopicResponse(string TopicKey, string? Name, long Subscribers, DateTime CreatedAt);

public sealed record TopicPage(IReadOnlyList<TopicResponse> Items, string? NextCursor);

public sealed record TopicMembersRequest(IReadOnlyList<string>? SubscriberIds);

/// <param name="Added">Subscribers that became members (a subscriber unknown to the directory is created with its id only).</param>
/// <param name="Unchanged">Subscribers that were members already.</param>
public sealed record TopicMembersAdded(int Added, int Unchanged);

public sealed record TopicMembersRemoved(int Removed);

public sealed record TopicMember(string SubscriberId, DateTime AddedAt);

public sealed record TopicMemberPage(IReadOnlyList<TopicMember> Items, string? NextCursor);
