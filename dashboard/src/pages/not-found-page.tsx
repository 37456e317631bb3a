import { Link } from '../app/router.js';

export function NotFoundPage() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. Go to the <Link to="/">funnel overview</Link>.
      </p>
    </section>
  );
}
