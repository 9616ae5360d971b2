// The public surface: what routes and other modules may use, by name (docs/architecture.md, "Crossing modules").
export { type MembersTables, SEGMENTS, type Segment } from './members.tables.ts';
export {
	type ChangePasswordInput,
	type DeploymentInput,
	type DeploymentPatchInput,
	type ProfilePatchInput,
	type ResetLinkInput,
	type ResetPasswordInput,
	type SetAdminInput,
	type SignInInput,
	type SignUpInput,
	type TokenInput,
	activityListInput,
	handle,
	memberListInput
} from './members.schemas.ts';
export {
	actorForSession,
	actorForToken,
	countMembers,
	hasAdministrator,
	deploymentReleases,
	findMemberRefByHandle,
	memberRefsByHandles,
	getAccount,
	getMemberByHandle,
	getOwnDeployment,
	listAccounts,
	listActivity,
	type ActivityEntry,
	listDeployments,
	listMembers,
	listTokens,
	memberStats
} from './members.queries.ts';
export {
	addDeployment,
	changePassword,
	createFirstAdmin,
	createToken,
	removeDeployment,
	revokeToken,
	setAdmin,
	signIn,
	signOut,
	signOutEverywhere,
	signUp,
	startSession,
	updateDeployment,
	updateProfile
} from './members.commands.ts';
export { mayAdminister } from './members.policy.ts';
export { issueResetLink, resetLinkProblem, resetLinkState, resetPassword } from './members.reset.ts';
export { actorOfDemoMember, DEMO_ADMIN, DEMO_PASSWORD } from './members.seed.ts';
export { completeOidcSignIn, isOidcFailure, oidcFailureMessage, OidcSignInError, startOidcSignIn, type OidcFailure, type OidcFlow } from './members.oidc.ts';

import { defineModule, tablesOf } from '#lib/server/platform/module.ts';
import type { MembersTables } from './members.tables.ts';
import * as m0100 from './migrations/20261125_0100_members.ts';
import * as m0400 from './migrations/20261125_0400_member_search.ts';
import * as m1100 from './migrations/20261204_1100_account_protection.ts';
import { membersOperations } from './members.api.ts';

/** What the members module brings to the platform; the composition root (src/lib/server/modules.ts) wires it. */
export const manifest = defineModule({
	name: 'members',
	tables: tablesOf<MembersTables>(),
	migrations: {
		'20261125_0100_members': m0100,
		'20261125_0400_member_search': m0400,
		'20261204_1100_account_protection': m1100
	},
	operations: membersOperations,
	demoSeed: async () => (await import('./members.seed.ts')).seedDemo,
	factories: () => import('./members.factories.ts'),
	navigation: [{ href: '/members', label: 'Members', order: 50 }]
});
