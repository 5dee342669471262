export function Header() {
  return (
    <header className="app-header">
      <div className="app-header__title">
        <h1>ResNet Lens</h1>
        <p>
          ResNet18 and ResNet34, built in your browser, classifying your photos into the 1000 ImageNet
          classes.
        </p>
      </div>
    </header>
  );
}
