import { castBallot, myBallot, withdrawBallot } from '#lib/server/modules/priorities/index.ts';
import { ballotJson, castBallotOp, getBallotOp, withdrawBallotOp } from '#lib/server/modules/priorities/priorities.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';
import { notFound } from '#lib/server/platform/errors.ts';

export const GET = endpoint(getBallotOp, async ({ params }, ctx) => {
	const ballot = await myBallot(ctx, params.id);
	if (!ballot) throw notFound('Your ballot');
	return ballotJson(params.id, ballot);
});

export const PUT = endpoint(castBallotOp, async ({ params, body }, ctx) => {
	return ballotJson(params.id, await castBallot(ctx, params.id, body));
});

export const DELETE = endpoint(withdrawBallotOp, async ({ params }, ctx) => {
	await withdrawBallot(ctx, params.id);
	return null;
});
