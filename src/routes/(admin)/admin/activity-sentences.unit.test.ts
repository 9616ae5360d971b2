import { describe, expect, it } from 'vitest';
import { activitySentence } from './activity-sentences.ts';

const entry = (action: string, data: Record<string, unknown>, subject: { type?: string; id?: number | null; handle?: string | null } = {}) => ({
	action,
	subjectType: subject.type ?? 'need',
	subjectId: subject.id === undefined ? 12 : subject.id,
	subjectHandle: subject.handle ?? null,
	data
});

describe('the audit log in sentences', () => {
	it('says what was done to what, in words rather than keys', () => {
		expect(activitySentence(entry('need.champion_joined', { memberId: 2, notified: 0 }))).toEqual({
			verb: 'joined the champions of',
			subject: { text: 'need #12', href: '/needs/12' },
			details: 'nobody to tell'
		});
		expect(activitySentence(entry('need.merged', { targetId: 40, notified: 3, reason: 'Same bug.' })).details).toBe(
			'into #40 · 3 people told · reason: Same bug.'
		);
		expect(activitySentence(entry('need.status_changed', { from: 'in_progress', to: 'delivered' })).details).toBe('from in progress · to delivered');
		expect(activitySentence(entry('member.signed_up', {}, { type: 'member', id: 4, handle: 'olga' }))).toMatchObject({
			verb: 'signed up',
			subject: { text: '@olga', href: '/members/olga' }
		});
	});

	it('tells who was asked to champion a need, and the answer', () => {
		expect(activitySentence(entry('need.champion_invited', { invitationId: 5, memberId: 3, handle: 'olga', role: 'champion', note: 'You found it.' }))).toEqual(
			{
				verb: 'asked someone to champion or sponsor',
				subject: { text: 'need #12', href: '/needs/12' },
				details: '@olga · as champion · note: You found it.'
			}
		);
		expect(activitySentence(entry('need.champion_invitation_declined', { invitationId: 5, memberId: 3, role: 'sponsor' })).details).toBe('as sponsor');
	});

	it('still tells an action or a key nobody has worded, humanised', () => {
		expect(activitySentence(entry('survey.answered', { questionCount: 7 }, { type: 'survey_response', id: 3 }))).toEqual({
			verb: 'answered',
			subject: { text: 'survey response #3', href: null },
			details: 'question count: 7'
		});
	});
});
