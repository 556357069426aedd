import { ConnectionBanner } from './components/ConnectionBanner';
import { WorkstationInfo } from './components/WorkstationInfo';

export function App(): React.JSX.Element {
  return (
    <div className="app">
      <header className="app-header">
        <h1 className="app-title">Clinical Messenger</h1>
        <ConnectionBanner />
      </header>
      <main className="app-main" id="main">
        <WorkstationInfo />
      </main>
    </div>
  );
}
