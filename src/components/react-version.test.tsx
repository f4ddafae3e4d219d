// @vitest-environment happy-dom
import { cleanup, render, screen } from '@testing-library/react';
import { useState, version } from 'react';
import { version as domVersion } from 'react-dom';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, inject, it } from 'vitest';

/** Uses a hook: rendered by a react-dom of another React copy, it would throw "Invalid hook call". */
function Version() {
  const [text] = useState(() => `React ${version}`);
  return <p>{text}</p>;
}

const major = (semver: string) => Number(semver.split('.')[0]);

afterEach(cleanup);

describe('the React this project tests against', () => {
  it('is the major the project is meant to run, one copy for the tests, the library and the renderers', () => {
    const expected = inject('reactMajor');
    expect([18, 19]).toContain(expected);
    expect(major(version)).toBe(expected);
    expect(domVersion).toBe(version);
    // @testing-library/react renders through the same react-dom and React as the components.
    render(<Version />);
    expect(screen.getByText(`React ${version}`)).toBeDefined();
    expect(renderToString(<Version />)).toBe(`<p>React ${version}</p>`);
  });
});
