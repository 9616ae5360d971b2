import { describe, expect, it } from 'vitest';
import { changeLabel, parseChangeUrl } from './champions.urls.ts';

describe('recognising upstream change addresses', () => {
	it.each([
		[
			'https://review.opendev.org/c/openstack/nova/+/912345',
			{ forge: 'gerrit', host: 'review.opendev.org', project: 'openstack/nova', number: 912345, url: 'https://review.opendev.org/c/openstack/nova/+/912345' }
		],
		[
			'https://review.opendev.org/c/openstack/nova/+/912345/3/nova/compute/manager.py?foo=1#l12',
			{ project: 'openstack/nova', number: 912345, url: 'https://review.opendev.org/c/openstack/nova/+/912345' }
		],
		['https://review.opendev.org/#/c/654321/', { forge: 'gerrit', project: '', number: 654321, url: 'https://review.opendev.org/c/654321' }],
		['https://gerrit.example.org/c/123', { forge: 'gerrit', host: 'gerrit.example.org', number: 123 }],
		[
			'https://github.com/kubernetes/kubernetes/pull/12',
			{ forge: 'github', project: 'kubernetes/kubernetes', number: 12, url: 'https://github.com/kubernetes/kubernetes/pull/12' }
		],
		[
			'https://www.github.com/ceph/ceph/pull/5678/files',
			{ forge: 'github', project: 'ceph/ceph', number: 5678, url: 'https://github.com/ceph/ceph/pull/5678' }
		],
		[
			'https://gitlab.com/group/sub/project/-/merge_requests/7',
			{ forge: 'gitlab', host: 'gitlab.com', project: 'group/sub/project', number: 7, url: 'https://gitlab.com/group/sub/project/-/merge_requests/7' }
		],
		['https://opendev.example/gitlab/ops/tool/-/merge_requests/42/diffs', { forge: 'gitlab', project: 'gitlab/ops/tool', number: 42 }]
	])('%s', (url, expected) => {
		expect(parseChangeUrl(url)).toMatchObject(expected);
	});

	it.each([
		'https://example.org/blog/post',
		'https://github.com/ceph/ceph/issues/12',
		'https://github.com/ceph/ceph/pull/abc',
		'https://github.com/ceph/ceph/pull/0',
		'https://review.opendev.org/c/openstack/nova/+/',
		'ftp://review.opendev.org/c/123',
		'javascript:alert(1)',
		'https://user:secret@github.com/o/r/pull/1',
		'not a url',
		'https://gitlab.com/-/merge_requests/7',
		'https://review.opendev.org/c/../+/12'
	])('refuses %s', (url) => {
		expect(parseChangeUrl(url)).toBeNull();
	});

	it('names changes the way each forge does', () => {
		expect(changeLabel({ forge: 'gerrit', number: 912345 })).toBe('Gerrit change 912345');
		expect(changeLabel({ forge: 'github', number: 12 })).toBe('PR #12');
		expect(changeLabel({ forge: 'gitlab', number: 7 })).toBe('MR !7');
	});
});
