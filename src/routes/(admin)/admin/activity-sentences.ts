import type { ActivityEntry } from '#lib/server/modules/members/index.ts';

/*
 * The audit log in sentences (issue 11): "filed", "merged into #12", not `need.merged` and
 * `targetId: 12; notified: 3`. Each recorded action has a verb phrase; the data it carries is told in
 * words, key by key, and a key nobody has worded yet still shows, humanised, so nothing recorded is hidden.
 */

type Data = Record<string, unknown>;

const VERBS: Record<string, string> = {
	'member.signed_up': 'signed up',
	'member.created_first_admin': 'set up the site as its first administrator',
	'member.updated_profile': 'updated their profile',
	'member.changed_password': 'changed their password',
	'member.reset_password': 'reset their password with a reset link',
	'member.reset_link_issued': 'issued a password reset link',
	'member.signed_out_everywhere': 'signed out everywhere',
	'member.linked_identity': 'linked a single sign-on identity',
	'member.granted_admin': 'made an administrator',
	'member.revoked_admin': 'removed as administrator',
	'api_token.created': 'created an API token',
	'api_token.revoked': 'revoked an API token',
	'deployment.added': 'recorded a deployment',
	'deployment.updated': 'updated a deployment',
	'deployment.removed': 'removed a deployment',
	'component.created': 'added a component',
	'component.updated': 'changed a component',
	'cycle.created': 'added a cycle',
	'cycle.updated': 'changed a cycle',
	'tracker.created': 'added a tracker',
	'tracker.updated': 'changed a tracker',
	'sandbox.issue_moved': 'played the developers on a sandbox issue of',
	'group.created': 'created the group',
	'group.updated': 'changed the group',
	'group.joined': 'joined the group',
	'group.join_requested': 'asked to join the group',
	'group.request_approved': 'approved a request to join',
	'group.request_declined': 'declined a request to join',
	'group.request_withdrawn': 'withdrew their request to join',
	'group.invited': 'invited someone to the group',
	'group.invitation_accepted': 'accepted an invitation to the group',
	'group.invitation_declined': 'declined an invitation to the group',
	'group.invitation_withdrawn': 'withdrew an invitation to the group',
	'group.role_set': 'changed a member’s role',
	'group.left': 'left the group',
	'group.member_removed': 'removed a member from the group',
	'need.filed': 'filed',
	'need.edited': 'edited',
	'need.status_changed': 'changed the status of',
	'need.merged': 'merged',
	'need.merge_undone': 'undid the merge of',
	'need.split': 'split',
	'need.split_from': 'made, by splitting another need,',
	'need.hidden': 'hid',
	'need.unhidden': 'unhid',
	'need.locked': 'locked the discussion of',
	'need.unlocked': 'unlocked the discussion of',
	'need.published': 'published',
	'need.comment_deleted': 'deleted a comment on',
	'need.comment_hidden': 'hid a comment on',
	'need.champion_joined': 'joined the champions of',
	'need.champion_withdrew': 'withdrew as champion of',
	'need.champion_removed': 'removed a champion of',
	'need.champion_invited': 'asked someone to champion or sponsor',
	'need.champion_invitation_accepted': 'accepted the invitation to champion or sponsor',
	'need.champion_invitation_declined': 'declined the invitation to champion or sponsor',
	'need.champion_invitation_withdrawn': 'withdrew an invitation to champion or sponsor',
	'need.change_linked': 'linked an upstream change to',
	'need.change_state_changed': 'updated an upstream change of',
	'need.change_unlinked': 'unlinked an upstream change from',
	'need.handed_upstream': 'handed upstream',
	'need.upstream_changed': 'saw upstream change',
	'handoff.synced': 'synced a handoff of',
	'priorities.round_opened': 'opened',
	'priorities.round_closed': 'closed and counted',
	'priorities.ballot_cast': 'cast a ballot in',
	'priorities.ballot_changed': 'changed their ballot in',
	'priorities.ballot_withdrawn': 'withdrew a ballot from',
	'priorities.list_published': 'published',
	'priorities.close_due': 'closed the due priority rounds'
};

/** Words for the keys actions record; a value that is an id of a need is shown as #id. */
const KEYS: Record<string, (value: unknown) => string | null> = {
	title: (v) => `“${String(v)}”`,
	reason: (v) => `reason: ${String(v)}`,
	from: (v) => `from ${words(v)}`,
	to: (v) => `to ${words(v)}`,
	targetId: (v) => `into #${String(v)}`,
	sourceId: (v) => `#${String(v)}`,
	newId: (v) => `making #${String(v)}`,
	fromId: (v) => `from #${String(v)}`,
	notified: (v) => (Number(v) ? `${String(v)} ${Number(v) === 1 ? 'person' : 'people'} told` : 'nobody to tell'),
	memberId: () => null,
	invitationId: () => null,
	handle: (v) => `@${String(v)}`,
	role: (v) => `as ${words(v)}`,
	published: (v) => (v ? 'published' : 'unpublished, in a closed group'),
	via: (v) => (v === 'cli' ? 'from the command line' : null),
	url: (v) => String(v),
	state: (v) => `now ${words(v)}`,
	kind: (v) => words(v),
	number: (v) => `issue #${String(v)}`
};

const words = (value: unknown) => String(value).replaceAll('_', ' ');
const humanKey = (key: string) =>
	key
		.replace(/([a-z])([A-Z])/g, '$1 $2')
		.replaceAll('_', ' ')
		.toLowerCase();

function told(key: string, value: unknown): string | null {
	if (value === null || value === undefined || value === '') return null;
	const known = KEYS[key];
	if (known) return known(value);
	const shown = Array.isArray(value) ? value.join(', ') : typeof value === 'object' ? JSON.stringify(value) : String(value);
	return `${humanKey(key)}: ${shown}`;
}

export interface ActivitySentence {
	/** What was done, e.g. "merged". */
	verb: string;
	/** What it was done to, e.g. "need #12", with a link when it has a page. */
	subject: { text: string; href: string | null } | null;
	/** The recorded data in words, e.g. "into #40 · 3 people told". */
	details: string;
}

export function activitySentence(
	entry: Pick<ActivityEntry, 'action' | 'subjectType' | 'subjectId' | 'subjectHandle' | 'data'> & { actorHandle?: string | null }
): ActivitySentence {
	const verb = VERBS[entry.action] ?? words(entry.action.split('.').at(-1) ?? entry.action);
	const details = Object.entries(entry.data as Data)
		.map(([key, value]) => told(key, value))
		.filter((text): text is string => !!text)
		.join(' · ');
	// "@ada signed up", not "@ada signed up @ada".
	const self = !!entry.subjectHandle && entry.subjectHandle === entry.actorHandle;
	return { verb, subject: self ? null : subjectOf(entry), details };
}

function subjectOf(entry: Pick<ActivityEntry, 'subjectType' | 'subjectId' | 'subjectHandle'>): ActivitySentence['subject'] {
	if (entry.subjectHandle) return { text: `@${entry.subjectHandle}`, href: `/members/${entry.subjectHandle}` };
	if (entry.subjectId === null) return null;
	const id = entry.subjectId;
	switch (entry.subjectType) {
		case 'need':
			return { text: `need #${id}`, href: `/needs/${id}` };
		case 'priority_list':
			return { text: `priority list #${id}`, href: `/priorities/${id}` };
		case 'priority_round':
			return { text: `round #${id}`, href: `/priorities/rounds/${id}` };
		case 'tracker':
			return { text: `tracker #${id}`, href: `/admin/trackers/${id}` };
		default:
			return { text: `${words(entry.subjectType)} #${id}`, href: null };
	}
}
