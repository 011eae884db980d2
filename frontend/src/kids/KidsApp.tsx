// The children's app: a header with the group and the language toggle, the screens, a
// bottom tab bar with big targets.
import { lazy, Suspense } from "react";
import { T, LangToggle } from "../lib/i18n";
import { Link, type Route } from "../lib/router";
import { ErrorBanner, Spinner } from "../lib/ui";
import { Home } from "./Home";
import { ClassPage } from "./ClassPage";
import { KidsSessionProvider, useKidsSession } from "./session";
import { ScanCardScreen } from "./Join";

const TrainPage = lazy(() => import("./TrainPage"));
const TryPage = lazy(() => import("./TryPage"));
const RankingPage = lazy(() => import("./RankingPage"));

function Header() {
  const { group } = useKidsSession();
  return (
    <header className="kids-header" style={group.color ? { borderBottomColor: group.color } : undefined}>
      <Link to="/" className="group-badge" data-testid="group-badge">
        <span className="group-emoji" aria-hidden="true">{group.emoji ?? "🙂"}</span>
        <span className="group-name">{group.name}</span>
      </Link>
      <LangToggle />
    </header>
  );
}

function TabBar({ current }: { current: string }) {
  const tabs = [
    { to: "/", name: "home", icon: "📷", label: "navHome" as const },
    { to: "/train", name: "train", icon: "🧠", label: "navTrain" as const },
    { to: "/try", name: "try", icon: "🔍", label: "navTry" as const },
    { to: "/ranking", name: "ranking", icon: "🏆", label: "navRanking" as const },
  ];
  return (
    <nav className="tabbar">
      {tabs.map((tab) => (
        <Link key={tab.name} to={tab.to} className={`tab${current === tab.name || (tab.name === "home" && current === "class") ? " tab-active" : ""}`}
              data-testid={`tab-${tab.name}`}>
          <span className="tab-icon" aria-hidden="true">{tab.icon}</span>
          <span className="tab-label"><T k={tab.label} /></span>
        </Link>
      ))}
    </nav>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case "class":
      return <ClassPage classId={route.param} />;
    case "train":
      return <TrainPage />;
    case "try":
      return <TryPage />;
    case "ranking":
      return <RankingPage />;
    default:
      return <Home />;
  }
}

export function KidsApp({ route }: { route: Route }) {
  return (
    <KidsSessionProvider
      loading={<div className="center-screen"><Spinner /><p><T k="loading" /></p></div>}
      loggedOut={<ScanCardScreen />}
      failed={(error, retry) => (
        <div className="center-screen">
          <ErrorBanner error={error} />
          <button type="button" className="big-button" onClick={retry}>↻</button>
        </div>
      )}>
      <div className="kids-app">
        <Header />
        <main className="kids-main">
          <Suspense fallback={<div className="center-screen"><Spinner /></div>}>
            <Screen route={route} />
          </Suspense>
        </main>
        <TabBar current={route.name} />
      </div>
    </KidsSessionProvider>
  );
}
