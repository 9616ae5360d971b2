/** How segments read on pages. */
export const SEGMENT_LABELS: Record<string, string> = {
	operator: 'Operator',
	end_user: 'End user',
	developer: 'Developer',
	security: 'Security',
	vendor: 'Vendor'
};
